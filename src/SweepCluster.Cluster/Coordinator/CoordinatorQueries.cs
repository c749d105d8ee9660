using System.Collections.Immutable;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Core.Results;
using SweepCluster.Core.Scheduling;
using SweepCluster.Core.Spec;

namespace SweepCluster.Cluster.Coordinator;

// Every answer that crosses nodes has a size bounded whatever the size of the sweeps (Akka's frames hold 128,000 bytes):
// overviews, the running trials, and trials in pages.

/// <summary>The whole sweep, every trial in it: for a caller in the coordinator's process (<c>sweepctl run</c>), not across nodes.</summary>
public sealed record GetSweep(string Id) : ISweepMessage;

/// <summary>The sweep, or null when there is none with that id.</summary>
public sealed record SweepFound(SweepSnapshot? Sweep) : ISweepMessage;

/// <summary>Sweeps in the order they were submitted, a page at a time: a cluster that has run hundreds of sweeps still answers in one frame each.</summary>
public sealed record ListSweeps(int Offset = 0, int Limit = ListSweeps.MaxLimit) : ISweepMessage
{
    /// <summary>An overview takes up to about 1,000 bytes (the best trial's parameters included): 50 fit a frame with room to spare.</summary>
    public const int MaxLimit = 50;
}

/// <param name="Total">How many sweeps there are, all pages together.</param>
public sealed record SweepsListed(ImmutableArray<SweepOverview> Sweeps, int Total) : ISweepMessage;

/// <summary>What <c>sweep status</c> shows; answered with <see cref="SweepStatusFound"/>.</summary>
public sealed record GetSweepStatus(string Id) : ISweepMessage;

/// <param name="Sweep">Null when there is no sweep with that id.</param>
/// <param name="Troubled">The first failed trials and trials that were retried (<see cref="Core.Sweeps.FinishedSweep.TroubledKept"/>); <paramref name="TroubledCount"/> counts them all.</param>
public sealed record SweepStatusFound(SweepOverview? Sweep, ImmutableArray<TrialSnapshot> Running, ImmutableArray<TrialSnapshot> Troubled, int TroubledCount) : ISweepMessage;

/// <summary>A page of a sweep's trials, best first, in one state or all: at most <paramref name="Limit"/> from <paramref name="Offset"/>.</summary>
/// <param name="WithCurves">Each trial with its curve (every epoch it reported); the page then ends early once it holds <see cref="MaxCurvePoints"/> epochs.</param>
/// <param name="ByIndex">In index order instead of best first.</param>
public sealed record GetTrials(string Id, TrialStatus? State, int Offset, int Limit, bool WithCurves = false, bool ByIndex = false) : ISweepMessage
{
    /// <summary>A trial takes up to about 700 bytes: a page of 100 stays well inside a frame.</summary>
    public const int MaxLimit = 100;

    /// <summary>An epoch of a curve takes about 100 bytes: a page stops at this many, well inside a frame.</summary>
    public const int MaxCurvePoints = 600;
}

/// <param name="Matching">How many trials the sweep has in the asked state, all pages together.</param>
/// <param name="Unreadable">Why the trials of an ended sweep could not be read from its sweep.json, when they could not.</param>
public sealed record TrialsFound(SweepOverview? Sweep, ImmutableArray<TrialDocument> Trials, int Matching, string? Unreadable = null) : ISweepMessage;

/// <summary>
/// The trials of a sweep as the dashboard plots them, by index from <paramref name="Offset"/>: index, status, metric value and
/// parameters only, as many as fit a frame, so that a large sweep crosses in a few hundred answers.
/// </summary>
public sealed record GetPoints(string Id, int Offset) : ISweepMessage
{
    /// <summary>The bytes a page of points may take, well inside a frame.</summary>
    public const int MaxBytes = 80_000;
}

/// <param name="Value">The metric's value, for completed and pruned trials.</param>
public sealed record TrialPoint(int Index, TrialStatus Status, double? Value, ParamValue.Map Params);

/// <param name="Total">How many trials the sweep has planned, all pages together.</param>
public sealed record PointsFound(SweepOverview? Sweep, ImmutableArray<TrialPoint> Points, int Total, string? Unreadable = null) : ISweepMessage;

/// <summary>One trial by its index: where it ran and where its artifacts are.</summary>
public sealed record GetTrial(string Id, int Index) : ISweepMessage;

/// <param name="Sweep">Null when there is no sweep with that id.</param>
/// <param name="Trial">Null when the sweep has no trial with that index (yet).</param>
/// <param name="Unreadable">Why the trials of an ended sweep could not be read from its sweep.json, when they could not.</param>
public sealed record TrialFound(SweepOverview? Sweep, TrialDocument? Trial, string? Unreadable = null) : ISweepMessage;

public sealed record GetWorkers : ISweepMessage;

public sealed record WorkersListed(ImmutableArray<WorkerSnapshot> Workers) : ISweepMessage;

/// <summary>What a confirmation sweep found so far; answered with <see cref="ConfirmationFound"/>.</summary>
public sealed record GetConfirmation(string Id) : ISweepMessage;

/// <param name="Sweep">Null when there is no sweep with that id.</param>
/// <param name="Verdict">Null when the sweep is not a confirmation, or its trials cannot be read (<paramref name="Problem"/> says why).</param>
public sealed record ConfirmationFound(SweepOverview? Sweep, ConfirmationVerdict? Verdict, string? Problem = null) : ISweepMessage;

/// <summary>The experiment a sweep runs, as submitted: answered with <see cref="ExperimentFound"/>.</summary>
public sealed record GetExperiment(string Id) : ISweepMessage;

/// <param name="SpecYaml">Null when there is no such sweep, or it ended before coordinators kept the experiments of ended sweeps.</param>
public sealed record ExperimentFound(string? SpecYaml, string? Source, string? CodeDirectory = null) : ISweepMessage;

/// <summary>
/// Asks the coordinator to tell the sender <see cref="SweepChanged"/> whenever the sweep changes (at most every 200 ms), until
/// the sender stops; answered with <see cref="SweepSubscribed"/>. A coordinator that takes over after a failover knows no
/// subscriptions: a subscriber watches the one that answered, and subscribes again when it stops.
/// </summary>
public sealed record SubscribeToSweep(string Id) : ISweepMessage;

public sealed record SweepSubscribed(string Id) : ISweepMessage;

/// <summary>The sweep changed since the last time it was told: the subscriber asks for what it shows.</summary>
public sealed record SweepChanged(string Id) : ISweepMessage;
