using System.Collections.Immutable;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Core.Results;

namespace SweepCluster.Cluster.Coordinator;

/// <summary>Every sweep at one point of the coordinator's journal: recovery starts from it and replays only the events after.</summary>
public sealed record CoordinatorSnapshot(ImmutableArray<SweepMemento> Sweeps) : ISweepMessage;

/// <param name="Waiting">Trials waiting to start, in the order they will.</param>
/// <param name="Finished">Trials in the order they finished, as the sampler saw them.</param>
public sealed record SweepMemento(
    SweepSubmitted Submitted,
    SweepStatus Status,
    DateTimeOffset? EndedAt,
    bool CancelRequested,
    ImmutableArray<TrialMemento> Trials,
    ImmutableArray<int> Waiting,
    ImmutableArray<int> Finished);

public sealed record TrialMemento(TrialSnapshot Trial, string? Worker, ImmutableArray<int> Gpus, int? DivergedAtEpoch);
