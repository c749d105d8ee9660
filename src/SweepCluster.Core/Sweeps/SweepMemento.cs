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
public sealed record FinishedSweepMemento(SweepHeader Header, TrialSnapshot? Best, ImmutableArray<TrialSnapshot> Troubled, int TroubledCount, string? ClientToken,
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

/// <summary>A trial not ended, as a journal snapshot stores it: its record (<see cref="TrialRecord.Stored"/>) and where it runs.</summary>
public sealed record TrialMemento(TrialSnapshot Trial, string? Worker, ImmutableArray<int> Gpus, int? DivergedAtEpoch);

