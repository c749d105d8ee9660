using Akka.Actor;

namespace SweepCluster.Cluster.Journal;

/// <summary>On a coordinator node: the lease and the identity kept in the journal's database, for any node that asks.</summary>
public sealed class JournalKeeper : ReceiveActor
{
    public JournalKeeper(JournalDatabase database)
    {
        Receive<HoldLease>(m => Answer(() => database.TryHoldLease(m.Name, m.Owner, TimeSpan.FromSeconds(m.Seconds)), held => new LeaseAnswered(held, null),
            error => new LeaseAnswered(false, error)));
        Receive<ReleaseLease>(m => Answer(() => database.ReleaseLease(m.Name, m.Owner), released => new LeaseAnswered(released, null),
            error => new LeaseAnswered(false, error)));
        Receive<GetJournalIdentity>(_ => Answer(database.Identity, id => new JournalIdentified(id, database.Description, null),
            error => new JournalIdentified(null, database.Description, error)));
    }

    /// <summary>Runs the database call off the actor's thread; its answer, or why it failed, goes straight to the asker.</summary>
    private void Answer<T>(Func<T> call, Func<T, object> answered, Func<string, object> failed) =>
        Task.Run(call).ContinueWith(t => t.IsCompletedSuccessfully ? answered(t.Result) : failed(t.Exception?.GetBaseException().Message ?? "cancelled"),
            TaskScheduler.Default).PipeTo(Sender);

    /// <summary>The coordinator nodes this node reaches (itself first, when it is one): where a keeper answers.</summary>
    public static IReadOnlyList<Address> Reachable(Akka.Cluster.Cluster cluster)
    {
        var state = cluster.State;
        return [.. state.Members
            .Where(m => m.HasRole(ClusterNames.CoordinatorRole) && m.Status == Akka.Cluster.MemberStatus.Up && !state.Unreachable.Contains(m))
            .OrderBy(m => m.Address == cluster.SelfAddress ? 0 : 1).Select(m => m.Address)];
    }

    /// <summary>The keeper on the node at <paramref name="address"/>.</summary>
    public static ActorSelection At(ActorSystem system, Address address) =>
        system.ActorSelection(new RootActorPath(address) / "user" / ClusterNames.JournalKeeperActor);
}
