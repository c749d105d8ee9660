using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json.Serialization;
using SweepCluster.Core.Files;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;
using SweepCluster.Core.Trials;

namespace SweepCluster.Core.Results;

// The published JSON shapes of sweeps and trials (README: Running sweeps, Operating a running cluster), written with
// SweepJson.Options. They are contracts with users: add fields, never rename or drop one.

/// <summary>A sweep without its trials: what <c>sweep list</c> shows of each sweep, and what every sweep document starts with.</summary>
public record SweepHeader(
    string Id,
    string Name,
    SweepStatus State,
    MetricSpec Metric,
    int TotalTrials,
    int Done,
    int Running,
    int Pending,
    string? PendingReason,
    DateTimeOffset SubmittedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? EndedAt,
    string RunDirectory,
    SweepSummary Summary)
{
    /// <summary>For a confirmation sweep (<c>sweep confirm</c>): the sweep and configurations it re-runs, and with how many seeds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ConfirmationOf? Confirms { get; init; }

    /// <summary>For a warm-started sweep: the earlier sweeps, how many of their trials its sampler reuses, and why others were not.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WarmStartSummary? WarmStart { get; init; }

    /// <summary>Why the sweep stopped itself (its first trials all failed alike), when it did: its state is then <c>cancelled</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StoppedBecause { get; init; }

    /// <summary>For a running sweep: when it should end at its pace so far (<see cref="SweepEstimate"/>); absent until a trial has completed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? EstimatedEnd { get; init; }

    public static SweepHeader Of(SweepSnapshot s) =>
        new(s.Id, s.Name, s.Status, s.Metric, s.TotalTrials, s.Done, s.Running, s.Pending, s.PendingReason, s.SubmittedAt, s.EndedAt, s.RunDirectory, s.Summary)
        {
            Confirms = s.Confirms,
            WarmStart = s.WarmStart,
            StoppedBecause = s.StoppedBecause,
        };
}

/// <summary>One entry of <c>sweep list</c>.</summary>
public sealed record SweepListEntry : SweepHeader
{
    public SweepListEntry(SweepOverview sweep) : base(sweep.Header) => Best = BestTrial.Of(sweep.Best);

    [JsonPropertyOrder(1)]
    public BestTrial? Best { get; init; }
}

/// <summary>
/// <c>sweep status</c>: the header, the running trials and the best so far. <c>running</c> lists the trials (release v1
/// wrote the count first under the same key, which JSON readers replaced with the list; the count is <c>running.length</c>).
/// </summary>
public sealed record SweepStatusDocument : SweepHeader
{
    public SweepStatusDocument(SweepOverview sweep, IEnumerable<TrialSnapshot> running) : base(sweep.Header)
    {
        Running = [.. running.Select(TrialDocument.Of)];
        Best = BestTrial.Of(sweep.Best);
    }

    [JsonPropertyOrder(1)]
    public new ImmutableArray<TrialDocument> Running { get; init; }

    [JsonPropertyOrder(2)]
    public BestTrial? Best { get; init; }
}

/// <summary><c>sweep.json</c> and <c>sweepctl run --format json</c>: the header, every trial, the best.</summary>
public sealed record SweepDocument : SweepHeader
{
    public SweepDocument(SweepSnapshot sweep) : base(Of(sweep))
    {
        Trials = [.. sweep.Trials.Select(TrialDocument.Of)];
        Best = BestTrial.Of(sweep.Best);
    }

    [JsonPropertyOrder(1)]
    public ImmutableArray<TrialDocument> Trials { get; init; }

    [JsonPropertyOrder(2)]
    public BestTrial? Best { get; init; }
}

/// <summary>A trial as sweep documents and <c>sweep trials</c> show it.</summary>
/// <param name="Epoch">The last epoch (or step) it reported.</param>
/// <param name="FailedAttempts">Why earlier attempts failed; left out when none did.</param>
/// <param name="Curve">Every epoch (or step) it reported: the metric's value, the training loss, seconds; left out before the first (and absent from sweep.json files written before it was added).</param>
public sealed record TrialDocument(
    int Index,
    TrialStatus Status,
    int Attempt,
    long Seed,
    ParamValue.Map Params,
    MetricValues Metrics,
    int? Epoch,
    string? Node,
    string? Device,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? StartedAt,
    double? DurationSeconds,
    string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImmutableArray<string>? FailedAttempts,
    string? Artifacts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImmutableArray<EpochPoint>? Curve = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EpochProgress? InEpoch = null)
{
    /// <summary>What the trial ran with, from its trial.json (<c>sweep trial</c> reads it from the worker); absent elsewhere.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TrialLineage? Lineage { get; init; }

    public static TrialDocument Of(TrialSnapshot t) => new(t.Index, t.Status, t.Attempt, t.Seed, t.Params, new MetricValues(t.Metrics),
        t.Epochs.Length > 0 ? t.Epochs[^1].Epoch : null, t.Node, t.Device, t.StartedAt, t.DurationSeconds, t.Reason,
        t.FailedAttempts.IsEmpty ? null : t.FailedAttempts, t.ArtifactDirectory, t.Epochs.IsEmpty ? null : t.Epochs, t.InEpoch);

    /// <summary>The trial's record again, as a sweep.json written when it ended gives it back (its running epoch aside).</summary>
    public TrialSnapshot Record() => new(Index, Status, Attempt, Seed, Params, Metrics.ToImmutableDictionary(), Curve ?? [], Node, Device, StartedAt, DurationSeconds,
        Reason, Artifacts, FailedAttempts ?? []);
}

/// <summary>The best trial: <c>sweep best</c>, and <c>best</c> in every sweep document (null while no trial completed).</summary>
public sealed record BestTrial(int Index, ParamValue.Map Params, MetricValues Metrics, string? Artifacts)
{
    public static BestTrial? Of(TrialSnapshot? best) => best is null ? null : new(best.Index, best.Params, new MetricValues(best.Metrics), best.ArtifactDirectory);
}

/// <summary><c>sweep trials</c>.</summary>
public sealed record TrialList(IReadOnlyList<TrialDocument> Trials);

/// <summary><c>sweep list</c>.</summary>
public sealed record SweepList(IReadOnlyList<SweepListEntry> Sweeps);

/// <summary>Metrics by name, in name order: <c>{"test_acc": 0.96, "test_f1": 0.97}</c>.</summary>
public sealed class MetricValues(IEnumerable<KeyValuePair<string, double>> metrics)
    : SortedDictionary<string, double>(metrics.ToDictionary(), StringComparer.Ordinal)
{
    /// <summary>For reading documents back (a finished sweep's trials from its sweep.json).</summary>
    public MetricValues() : this([])
    {
    }
}

/// <summary>One epoch (or step) as trial.json and <c>sweepctl train --format json</c> list them; the value is named for what it measures.</summary>
public sealed record EpochDocument(
    int Epoch,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? TrainLoss,
    double Seconds)
{
    [JsonExtensionData]
    public Dictionary<string, object> Value { get; init; } = [];

    public static EpochDocument Of(EpochPoint e, string valueName) => new(e.Epoch, e.Loss, e.Seconds) { Value = new() { [valueName] = e.Value } };
}

/// <summary><c>trial.json</c>, beside a trial attempt's artifacts.</summary>
public sealed record TrialFile(
    string Sweep,
    int Index,
    int Attempt,
    string Trainer,
    long Seed,
    ParamValue.Map Params,
    TrialStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    MetricValues Metrics,
    IReadOnlyList<EpochDocument> Epochs,
    string Node,
    string Device,
    double DurationSeconds,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TrialProgram? Program = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TrialLineage? Lineage = null);

/// <summary>What a trial ran with, in its trial.json: to tell whether two trials' results compare, and to run one again.</summary>
/// <param name="SweepCluster">The worker's release: its version and the commit it was built from.</param>
/// <param name="Runtime">The trainer's libraries (TorchSharp's version for the networks); null for a program of the user's.</param>
/// <param name="Data">The data folder the trial read, fingerprinted; null when it read none (or the attempt failed before).</param>
public sealed record TrialLineage(
    string SweepCluster,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Runtime = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DataFingerprint? Data = null)
{
    /// <summary>This build's release: <c>VERSION+COMMIT</c>, the commit taken from git when it was built.</summary>
    public static string ThisRelease { get; } =
        typeof(TrialLineage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}

/// <summary>
/// The user's program a trial ran, in its trial.json: what <c>sweepctl train --from</c> needs to run it again. Absent for a
/// built-in trainer, and in the records of versions before it.
/// </summary>
/// <param name="Run">The <c>run:</c> entries, in order.</param>
/// <param name="CodeFolder">The folder the sweep was submitted from, on the submitter's machine.</param>
/// <param name="Code">The hash of the code package the trial ran; null for <c>sweepctl run</c>, which runs the folder where it is.</param>
/// <param name="Data">The experiment's <c>data</c> folder, when it names one.</param>
public sealed record TrialProgram(
    IReadOnlyList<string> Run,
    string Metric,
    string CodeFolder,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Data = null);
