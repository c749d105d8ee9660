using System.Collections.Immutable;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Core.Results;
using SweepCluster.Core.Scheduling;

namespace SweepCluster.Cluster.Coordinator;

public sealed record GetSweep(string Id) : ISweepMessage;

/// <summary>The sweep, or null when there is none with that id.</summary>
public sealed record SweepFound(SweepSnapshot? Sweep) : ISweepMessage;

public sealed record ListSweeps : ISweepMessage;

public sealed record SweepsListed(ImmutableArray<SweepSnapshot> Sweeps) : ISweepMessage;

public sealed record GetWorkers : ISweepMessage;

public sealed record WorkersListed(ImmutableArray<WorkerSnapshot> Workers) : ISweepMessage;
