using System.Collections.Immutable;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Core.Results;
using SweepCluster.Core.Sweeps;
using SweepCluster.Core.Trials;

namespace SweepCluster.Cluster.Coordinator;

/// <summary>Run the experiment in <paramref name="SpecYaml"/>; answered with <see cref="SweepAccepted"/> or <see cref="SweepRejected"/>.</summary>
/// <param name="Source">The file name the YAML came from, for error messages.</param>
/// <param name="ClientToken">Names this submission: submitting again with the same token (a retry after a timeout) returns the sweep it started.</param>
/// <param name="WarmStart">Earlier sweeps (ids, or run folders on the coordinator's node) to warm-start from, besides the experiment's <c>warm_start</c>.</param>
/// <param name="CodeDirectory">The folder the experiment's commands run in, when <c>run:</c> names the user's program: the submitter has looked inside it.</param>
/// <param name="CodePackage">The hash of that folder's package, kept by the node that received the submission: workers run its copy instead of the folder.</param>
public sealed record SubmitSweep(
    string SpecYaml,
    string Source,
    int? Trials = null,
    long? Seed = null,
    string? Name = null,
    int? Epochs = null,
    string? ClientToken = null,
    ImmutableArray<string>? WarmStart = null,
    string? CodeDirectory = null,
    string? CodePackage = null) : ISweepMessage;

/// <summary>
/// Re-run the <paramref name="Top"/> best configurations of sweep <paramref name="Id"/> under <paramref name="Seeds"/> new seeds each,
/// as a new sweep linked to it; answered with <see cref="SweepAccepted"/> or <see cref="SweepRejected"/>.
/// </summary>
public sealed record ConfirmSweep(string Id, int Top, int Seeds, string? ClientToken = null) : ISweepMessage;

/// <param name="WarmStart">What a warm-started sweep took from earlier ones.</param>
public sealed record SweepAccepted(string Id, int TotalTrials, WarmStartSummary? WarmStart = null) : ISweepMessage;

/// <summary>The experiment is invalid: each error names its file, line, column and key.</summary>
public sealed record SweepRejected(ImmutableArray<string> Errors) : ISweepMessage;

/// <summary>
/// Run a configuration in sweep <paramref name="Id"/> before the sampler's next suggestion: values as the user wrote them, by
/// dimension path (<c>lr</c> = <c>0.002</c>). Answered with <see cref="TrialEnqueueAccepted"/> or <see cref="SweepRejected"/>.
/// </summary>
public sealed record EnqueueTrial(string Id, ImmutableDictionary<string, string> Values) : ISweepMessage;

/// <param name="Ahead">Configurations enqueued before this one and not yet started.</param>
public sealed record TrialEnqueueAccepted(string Id, int Ahead) : ISweepMessage;

/// <summary>
/// <paramref name="Added"/> more trials for sweep <paramref name="Id"/>, running or ended (<c>sweep extend</c>); with
/// <paramref name="RunDirectory"/>, a sweep this coordinator does not hold, read from its run folder (<c>run --resume</c>).
/// Answered with <see cref="SweepExtensionAccepted"/> or <see cref="SweepRejected"/>.
/// </summary>
public sealed record ExtendSweep(string Id, int Added, string? RunDirectory = null) : ISweepMessage;

/// <param name="PreviousTrials">The trials planned before: the new ones are numbered from here.</param>
public sealed record SweepExtensionAccepted(string Id, int PreviousTrials, int TotalTrials) : ISweepMessage;

/// <summary>Stop the sweep's running trials and drop its pending ones; answered with <see cref="SweepCancelAccepted"/>.</summary>
public sealed record CancelSweep(string Id) : ISweepMessage;

public sealed record SweepCancelAccepted(string Id, bool Found, string Message) : ISweepMessage;

/// <summary>A worker's offer, sent when it starts and then as a heartbeat; <paramref name="Running"/> lists its attempts.</summary>
/// <param name="GpuTrialsOnCpu">The worker runs trials that ask for a GPU on its CPU slots.</param>
/// <param name="LeavesAt">When the worker's node leaves (its allocation ends, or it is leaving now): it takes only trials that can finish before.</param>
/// <param name="Problem">Why the worker takes no trials now (it cannot write its runs folder), or null; it says so until the fault is gone.</param>
public sealed record RegisterWorker(string Node, ImmutableArray<int> Gpus, double CpuSlots, ImmutableArray<RunningAttempt> Running, bool GpuTrialsOnCpu = false,
    DateTimeOffset? LeavesAt = null, string? Problem = null) : ISweepMessage;

/// <param name="IdleSeconds">Time since the attempt last trained a batch or finished an epoch: a stalled trial's grows.</param>
public sealed record RunningAttempt(string SweepId, int Index, int Attempt, double IdleSeconds);

/// <summary>A trial attempt finished an epoch (or a step).</summary>
public sealed record ReportTrialProgress(string SweepId, int Index, int Attempt, EpochPoint Point, long Samples) : ISweepMessage;

/// <summary>How far a running attempt's epoch has got, every few seconds: shown, never journalled; also a sign of life.</summary>
public sealed record ReportEpochProgress(string SweepId, int Index, int Attempt, EpochProgress Progress) : ISweepMessage;

/// <summary>
/// A trial attempt ended: completed with metrics, failed with a reason, or cancelled. The worker sends it again with
/// every heartbeat until the coordinator answers <see cref="Worker.ForgetTrialEnd"/>, so a coordinator's death loses no result.
/// </summary>
/// <param name="Retryable">A failure that may not happen again (a timeout, running out of memory, an error in the trainer), unlike an invalid configuration.</param>
/// <param name="DivergedAtEpoch">The epoch whose training loss became NaN, when that was the failure.</param>
/// <param name="Released">The worker gave the attempt back unfinished because its node is leaving: the trial starts again, and that is no failure.</param>
public sealed record ReportTrialEnded(
    string SweepId,
    int Index,
    int Attempt,
    TrialStatus Status,
    ImmutableDictionary<string, double> Metrics,
    string? Reason,
    double DurationSeconds,
    string? ArtifactDirectory,
    bool Retryable = false,
    int? DivergedAtEpoch = null,
    bool Released = false) : ISweepMessage;
