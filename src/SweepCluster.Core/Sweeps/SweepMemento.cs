using System.Collections.Immutable;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sweeps;

/// <summary>
/// Every sweep at one point of the coordinator's journal: recovery starts from it and replays only the events after.
/// A stored format (README: stored formats): its records are its own, not the read models that commands print, so
/// that output can change without changing what is stored. Field names are those of release v1.
/// </summary>
/// <param name="Sweeps">The sweeps still running, whole (release v1 stored every sweep here, ended ones too).</param>
/// <param name="Finished">Ended sweeps whose sweep.json is written: their headers only (none in v1's snapshots).</param>
public sealed record CoordinatorSnapshot(ImmutableArray<SweepMemento> Sweeps, ImmutableArray<FinishedSweepMemento>? Finished = null);

/// <summary>An ended sweep in a snapshot: the header, the best trial, the first failed or retried trials and how many there were.</summary>
public sealed record FinishedSweepMemento(SweepHeader Header, StoredTrial? Best, ImmutableArray<StoredTrial> Troubled, int TroubledCount, string? ClientToken,
    SweepSubmitted? Submitted = null);

/// <param name="Waiting">Trials waiting to start, in the order they will.</param>
/// <param name="Finished">Trials in the order they finished, as the sampler saw them.</param>
/// <param name="Enqueued">Configurations enqueued and not yet planned, in order (none in snapshots before enqueue existed).</param>
/// <param name="TotalTrials">The trials it runs when extended since it was submitted (absent otherwise, and in snapshots before extend existed).</param>
/// <param name="ArchivedLength">
/// When set, <paramref name="Trials"/> holds only the trials not ended and <paramref name="Finished"/> is empty: the ended ones are the
/// first this many bytes of the run folder's <c>trials.jsonl</c>, in the order they ended (<see cref="TrialArchive"/>). Absent in
/// snapshots before archives, which hold every trial.
/// </param>
/// <param name="ArchivedIn">The archive's file name when it is not <c>trials.jsonl</c> (<see cref="TrialArchive.ResumedFileName"/>).</param>
public sealed record SweepMemento(
    SweepSubmitted Submitted,
    SweepStatus Status,
    DateTimeOffset? EndedAt,
    bool CancelRequested,
    ImmutableArray<TrialMemento> Trials,
    ImmutableArray<int> Waiting,
    ImmutableArray<int> Finished,
    ImmutableArray<ImmutableDictionary<string, ParamValue>>? Enqueued = null,
    int? TotalTrials = null,
    long? ArchivedLength = null,
    string? ArchivedIn = null,
    string? StoppedBecause = null);

public sealed record TrialMemento(StoredTrial Trial, string? Worker, ImmutableArray<int> Gpus, int? DivergedAtEpoch);

/// <summary>A trial's record as a snapshot stores it.</summary>
public sealed record StoredTrial(
    int Index,
    TrialStatus Status,
    int Attempt,
    long Seed,
    ParamValue.Map Params,
    ImmutableDictionary<string, double> Metrics,
    ImmutableArray<EpochPoint> Epochs,
    string? Node,
    string? Device,
    DateTimeOffset? StartedAt,
    double? DurationSeconds,
    string? Reason,
    string? ArtifactDirectory,
    ImmutableArray<string> FailedAttempts)
{
    public static StoredTrial Of(TrialSnapshot t) =>
        new(t.Index, t.Status, t.Attempt, t.Seed, t.Params, t.Metrics, t.Epochs, t.Node, t.Device, t.StartedAt, t.DurationSeconds, t.Reason, t.ArtifactDirectory, t.FailedAttempts);

    public TrialSnapshot ToSnapshot() =>
        new(Index, Status, Attempt, Seed, Params, Metrics, Epochs, Node, Device, StartedAt, DurationSeconds, Reason, ArtifactDirectory, FailedAttempts);
}
