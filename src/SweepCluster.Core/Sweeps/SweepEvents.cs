using System.Collections.Immutable;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sweeps;

/// <summary>What happened to a sweep: <see cref="SweepState"/> is rebuilt from these alone.</summary>
public interface ISweepEvent
{
    string SweepId { get; }
}

/// <param name="ClientToken">The submitting client's token for this submission: the same token again returns this sweep (added after v1; absent in older journals).</param>
/// <param name="WarmStart">Earlier sweeps' trials its sampler reuses (<c>--warm-start</c>); absent without, and in older journals.</param>
/// <param name="CodeDirectory">The folder the sweep's commands run in, when it runs the user's program (added with command trials; absent before).</param>
/// <param name="CodePackage">The hash of the code folder's package its workers fetch, when it was sent with the sweep (added with code packages; absent before).</param>
/// <param name="RunGpuTrialsOnCpu">Set by release v1's <c>sweepctl run</c> on machines without GPUs; workers now say so themselves (<c>--gpu-trials-on-cpu</c>), and new sweeps leave it false.</param>
public sealed record SweepSubmitted(
    string SweepId,
    string Name,
    string SpecYaml,
    string Source,
    int TotalTrials,
    long Seed,
    int? Epochs,
    bool RunGpuTrialsOnCpu,
    string RunDirectory,
    DateTimeOffset At,
    string? ClientToken = null,
    ConfirmationPlan? Confirms = null,
    WarmStartReport? WarmStart = null,
    string? CodeDirectory = null,
    string? CodePackage = null) : ISweepEvent;

/// <summary>The sampler chose a trial's parameters; recorded so that a replay does not ask it again.</summary>
/// <param name="Enqueued">The trial takes the configuration first in the queue of <see cref="TrialEnqueued"/> (which it leaves).</param>
public sealed record TrialPlanned(string SweepId, int Index, long Seed, ParamValue.Map Params, bool Enqueued = false) : ISweepEvent;

/// <summary>
/// A configuration to run before the sampler's next suggestion (Optuna's <c>enqueue_trial</c>): values by dimension path
/// (<c>lr</c>, <c>out_channels[1]</c>); dimensions it leaves out are sampled as usual.
/// </summary>
public sealed record TrialEnqueued(string SweepId, ImmutableDictionary<string, ParamValue> Values) : ISweepEvent;

/// <param name="Gpus">The GPUs the attempt holds, so that a recovered coordinator can hold them again when the worker re-attaches.</param>
public sealed record TrialStarted(string SweepId, int Index, int Attempt, string Worker, string Node, string Device, ImmutableArray<int> Gpus, DateTimeOffset At) : ISweepEvent;

public sealed record TrialProgressed(string SweepId, int Index, int Attempt, EpochPoint Point) : ISweepEvent;

/// <param name="Suspect">Why its result is suspect (a constant classifier, a flat curve): kept as the trial's reason; absent in older journals.</param>
public sealed record TrialCompleted(
    string SweepId,
    int Index,
    int Attempt,
    ImmutableDictionary<string, double> Metrics,
    double DurationSeconds,
    string? ArtifactDirectory,
    DateTimeOffset At,
    string? Suspect = null) : ISweepEvent;

public sealed record TrialFailed(string SweepId, int Index, int Attempt, string Reason, double DurationSeconds, DateTimeOffset At) : ISweepEvent;

/// <summary>The pruner stopped a trial after an epoch: it ends with the epoch it reached and its last value.</summary>
public sealed record TrialPruned(string SweepId, int Index, int Attempt, int Epoch, double Value, DateTimeOffset At) : ISweepEvent;

/// <summary>An attempt failed in a way that may not happen again (its worker was lost, it timed out or stalled): the trial waits to start again.</summary>
/// <param name="DivergedAtEpoch">The epoch whose loss became NaN, when that was the failure: NaN at the same epoch again is deterministic.</param>
public sealed record TrialRequeued(string SweepId, int Index, int Attempt, string Reason, int? DivergedAtEpoch = null) : ISweepEvent;

/// <summary>
/// The worker gave the attempt back unfinished because its node is leaving (a SLURM allocation ending, a node stopped):
/// the trial waits to start again, from its last checkpoint, and the release is no failure.
/// </summary>
public sealed record TrialReleased(string SweepId, int Index, int Attempt, string Reason) : ISweepEvent;

public sealed record TrialCancelled(string SweepId, int Index, DateTimeOffset At) : ISweepEvent;

/// <summary>
/// More trials for a sweep (<c>sweep extend</c>, <c>run --resume</c>): the total becomes <paramref name="TotalTrials"/>, and a sweep that had
/// ended runs again, its new trials numbered after the ones it planned, its sampler and pruner knowing every earlier trial.
/// </summary>
/// <param name="PreviousTrials">The trials the sweep had planned: an ended sweep is rebuilt from its <c>sweep.json</c> with those.</param>
/// <param name="Adopted">A sweep this coordinator's journal does not hold (<c>run --resume</c> of a run directory): its submission, read from there.</param>
public sealed record SweepExtended(string SweepId, int PreviousTrials, int TotalTrials, DateTimeOffset At, SweepSubmitted? Adopted = null) : ISweepEvent;

/// <summary>Cancelling was asked for: trials not running are cancelled now, running ones as their workers confirm.</summary>
/// <param name="Reason">Why the sweep stopped itself (<see cref="SweepState.FailingAlike"/>); null when a user cancelled it, and in journals before it existed.</param>
public sealed record SweepCancelled(string SweepId, DateTimeOffset At, string? Reason = null) : ISweepEvent;
