namespace SweepCluster.Cluster;

/// <summary>The names every node must agree on.</summary>
public static class ClusterNames
{
    /// <summary>The actor system: addresses read akka.tcp://sweep@host:port.</summary>
    public const string SystemName = "sweep";

    public const string CoordinatorRole = "coordinator";
    public const string WorkerRole = "worker";

    public const string CoordinatorSingleton = "sweep-coordinator";
    public const string WorkerActor = "sweep-worker";
}
