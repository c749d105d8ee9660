namespace SweepCluster.Cluster;

/// <summary>The names every node must agree on.</summary>
public static class ClusterNames
{
    /// <summary>The actor system: addresses read akka.tcp://sweep@host:port.</summary>
    public const string SystemName = "sweep";

    public const string CoordinatorRole = "coordinator";
    public const string WorkerRole = "worker";

    public const string CoordinatorSingleton = "sweep-coordinator";

    /// <summary>The coordinator's journal: every sweep's events, whichever node hosts the singleton.</summary>
    public const string CoordinatorPersistenceId = "sweep-coordinator";
    public const string WorkerActor = "sweep-worker";

    /// <summary>The model registry: a singleton of its own, in the coordinator's journal under its own persistence id.</summary>
    public const string ModelRegistrySingleton = "model-registry";
    public const string ModelRegistryPersistenceId = "model-registry";

    /// <summary>Every node's code packages (<see cref="Code.CodeStore"/>), asked for by hash.</summary>
    public const string CodeStoreActor = "sweep-code";

    /// <summary>On coordinator nodes: the split-brain lease and the journal identity, kept in the journal's database.</summary>
    public const string JournalKeeperActor = "sweep-journal";
}
