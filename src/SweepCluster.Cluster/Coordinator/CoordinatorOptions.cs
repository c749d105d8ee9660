namespace SweepCluster.Cluster.Coordinator;

/// <param name="RunsDirectory">Where each sweep's run directory is made (one folder per sweep, one per trial inside).</param>
public sealed record CoordinatorOptions(string RunsDirectory);
