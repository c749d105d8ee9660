using System.Collections.Immutable;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Core.Results;

namespace SweepCluster.Cluster.Coordinator;

public sealed record GetSweep(string Id) : ISweepMessage;

/// <summary>The sweep, or null when there is none with that id.</summary>
public sealed record SweepFound(SweepSnapshot? Sweep) : ISweepMessage;

public sealed record ListSweeps : ISweepMessage;

public sealed record SweepsListed(ImmutableArray<SweepSnapshot> Sweeps) : ISweepMessage;

public sealed record GetWorkers : ISweepMessage;

public sealed record WorkersListed(ImmutableArray<WorkerSnapshot> Workers) : ISweepMessage;

/// <summary>A worker as <c>node show</c> prints it: what it offers and what runs on it.</summary>
public sealed record WorkerSnapshot(
    string Node,
    ImmutableArray<int> Gpus,
    double CpuSlots,
    double CpuBusy,
    ImmutableDictionary<int, double> GpuBusy,
    ImmutableArray<string> Running,
    int TrialsDone);
