using Akka.Actor;

namespace SweepCluster.Cluster.Journal;

/// <summary>On a coordinator node: the lease and the identity kept in the journal's database, for any node that asks.</summary>
public sealed class JournalKeeper : ReceiveActor
{
    public JournalKeeper(JournalDatabase database)
    {
        // Database calls run off the actor's thread; each answer goes straight to its asker.
        Receive<HoldLease>(m => Answer(() => database.TryHoldLease(m.Name, m.Owner, TimeSpan.FromSeconds(m.Seconds))));
        Receive<ReleaseLease>(m => Answer(() => database.ReleaseLease(m.Name, m.Owner)));
        Receive<GetJournalIdentity>(_ => Task.Run(database.Identity).ContinueWith(t => t.IsCompletedSuccessfully
                ? new JournalIdentified(t.Result, database.Description, null)
                : new JournalIdentified(null, database.Description, t.Exception?.GetBaseException().Message), TaskScheduler.Default)
            .PipeTo(Sender));
    }

    private void Answer(Func<bool> call) =>
        Task.Run(call).ContinueWith(t => t.IsCompletedSuccessfully ? new LeaseAnswered(t.Result, null)
                : new LeaseAnswered(false, t.Exception?.GetBaseException().Message), TaskScheduler.Default)
            .PipeTo(Sender);
}
