using Akka.Actor;
using Akka.Event;
using SweepCluster.Cluster.Hosting;

namespace SweepCluster.Cluster.Journal;

/// <summary>
/// A coordinator node that joins asks the coordinator nodes already up which journal they use. One with another journal
/// (another <c>--store</c>, another database) would, on taking over, recover other sweeps than the cluster's and hold
/// another split-brain lease; it leaves instead, saying why in one line.
/// </summary>
public static class JournalIdentityCheck
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Starts the check; a node whose journal differs leaves with a <see cref="NodeStopReason"/>.</summary>
    public static void Start(ActorSystem system, JournalDatabase database) => _ = RunAsync(system, database);

    private static async Task RunAsync(ActorSystem system, JournalDatabase database)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        string own;
        try
        {
            own = await Task.Run(database.Identity);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException or ArgumentException)
        {
            Stop(system, $"this coordinator node cannot read its journal {database.Description} ({e.Message}); it leaves the cluster");
            return;
        }
        foreach (var other in JournalKeeper.Reachable(cluster).Where(a => a != cluster.SelfAddress))
        {
            JournalIdentified answer;
            try
            {
                answer = await JournalKeeper.At(system, other).Ask<JournalIdentified>(new GetJournalIdentity(), AskTimeout);
            }
            catch (AskTimeoutException)
            {
                continue;
            }
            if (answer.Id is null || answer.Id == own) continue;
            Stop(system, $"this coordinator node's journal ({database.Description}) is not the journal of the cluster's coordinator node {other} ({answer.Journal}): "
                + "every coordinator node must name the same one (the same --store on one machine, the same --journal across machines); this node leaves the cluster");
            return;
        }
    }

    private static void Stop(ActorSystem system, string message)
    {
        system.Log.Error(message);
        CoordinatedShutdown.Get(system).Run(new NodeStopReason(message));
    }
}
