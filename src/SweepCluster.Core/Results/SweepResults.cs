using System.Collections.Immutable;
using System.Text.Json.Serialization;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;
using SweepCluster.Core.Trials;

namespace SweepCluster.Core.Results;

public enum TrialStatus { Pending, Running, Completed, Failed, Pruned, Cancelled }

public enum SweepStatus { Pending, Running, Completed, Cancelled }

/// <summary>One epoch (or step) of a trial as the cluster saw it.</summary>
public sealed record EpochPoint(int Epoch, double? Loss, double Value, double Seconds);

/// <summary>
/// A trial's one record: what a sweep holds of it, what the archive (<c>trials.jsonl</c>) and journal snapshots store, and
/// what queries answer with; commands and the API show it as a <see cref="TrialDocument"/>. Being stored, it changes only
/// as docs/stored-formats.md says.
/// </summary>
/// <param name="FailedAttempts">Why each earlier attempt failed before the trial was retried (<c>attempt 1: worker lost</c>).</param>
public sealed record TrialSnapshot(
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
    /// <summary>For a running trial: how far its current epoch has got, as its worker last said (not journalled).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EpochProgress? InEpoch { get; init; }
}

/// <summary>The figures of the study's results table, over completed trials.</summary>
public sealed record SweepSummary(int Completed, int Failed, int Pruned, int Cancelled, double? Max, double? Mean, double? Std)
{
    /// <summary>Max (in the metric's direction: the best value), mean and population standard deviation, as numpy computes them.</summary>
    public static SweepSummary Of(IReadOnlyCollection<TrialSnapshot> trials, MetricSpec metric) => Of(trials.Select(t => (t.Status, t.Metrics)), metric);

    public static SweepSummary Of(IEnumerable<(TrialStatus Status, ImmutableDictionary<string, double> Metrics)> trials, MetricSpec metric) =>
        Of(trials.Select(t => (t.Status, t.Metrics.TryGetValue(metric.Name, out var value) ? value : (double?)null)), metric);

    /// <param name="trials">Each trial's status and its metric's value (null when it has none), in index order.</param>
    public static SweepSummary Of(IEnumerable<(TrialStatus Status, double? Value)> trials, MetricSpec metric)
    {
        var counts = new int[Enum.GetValues<TrialStatus>().Length];
        var values = new List<double>();
        foreach (var (status, value) in trials)
        {
            counts[(int)status]++;
            if (status == TrialStatus.Completed && value is { } v) values.Add(v);
        }
        int Count(TrialStatus s) => counts[(int)s];
        if (values.Count == 0) return new SweepSummary(Count(TrialStatus.Completed), Count(TrialStatus.Failed), Count(TrialStatus.Pruned), Count(TrialStatus.Cancelled), null, null, null);
        var mean = values.Average();
        var std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
        var best = metric.Direction.Best(values);
        return new SweepSummary(Count(TrialStatus.Completed), Count(TrialStatus.Failed), Count(TrialStatus.Pruned), Count(TrialStatus.Cancelled), best, mean, std);
    }
}

/// <summary>
/// A sweep without its trials (but its best one): the same size however many trials it has, so that it can cross nodes
/// for a sweep of any size. <c>sweep list</c> shows these, <c>sweep status</c> one with the running trials.
/// </summary>
public sealed record SweepOverview(SweepHeader Header, TrialSnapshot? Best)
{
    public static SweepOverview Of(SweepSnapshot sweep) => new(SweepHeader.Of(sweep), sweep.Best);
}

/// <summary>A sweep with every trial: <c>sweep.json</c> and <c>sweepctl run</c>, in the coordinator's own process.</summary>
/// <param name="Pending">Trials not yet started: planned ones waiting, and those the sampler has not been asked for.</param>
/// <param name="PendingReason">Why trials wait, when they do (<c>no worker offers gpu</c>).</param>
public sealed record SweepSnapshot(
    string Id,
    string Name,
    SweepStatus Status,
    MetricSpec Metric,
    int TotalTrials,
    int Pending,
    ImmutableArray<TrialSnapshot> Trials,
    string? PendingReason,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? EndedAt,
    string RunDirectory)
{
    public int Done => Trials.Count(t => t.Status is TrialStatus.Completed or TrialStatus.Failed or TrialStatus.Pruned or TrialStatus.Cancelled);

    public int Running => Trials.Count(t => t.Status == TrialStatus.Running);

    public SweepSummary Summary => SweepSummary.Of(Trials, Metric);

    /// <summary>For a confirmation sweep: what it re-runs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ConfirmationOf? Confirms { get; init; }

    /// <summary>For a warm-started sweep: what it took from earlier sweeps.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WarmStartSummary? WarmStart { get; init; }

    /// <summary>Why the sweep stopped itself, when it did.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StoppedBecause { get; init; }

    /// <summary>The best completed trial in the metric's direction; ties go to the lower index.</summary>
    public TrialSnapshot? Best => Trials
        .Where(t => t.Status == TrialStatus.Completed && t.Metrics.ContainsKey(Metric.Name))
        .OrderByDescending(t => Metric.Direction.Goodness(t.Metrics[Metric.Name]))
        .ThenBy(t => t.Index)
        .FirstOrDefault();

    /// <summary>For an ended sweep of which no trial completed: the counts and the commonest reason, in one line; null otherwise.</summary>
    public string? NoneCompleted()
    {
        if (StoppedBecause is not null) return $"sweep {Id} stopped: {StoppedBecause}";
        if (Status != SweepStatus.Completed || Trials.IsEmpty || Trials.Any(t => t.Status == TrialStatus.Completed)) return null;
        var commonest = Trials.Where(t => t.Status == TrialStatus.Failed && t.Reason is not null).GroupBy(t => t.Reason!)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Min(t => t.Index)).FirstOrDefault();
        var summary = Summary;
        return $"no trial of sweep {Id} completed ({summary.Failed} failed, {summary.Pruned} pruned, {summary.Cancelled} cancelled)"
            + (commonest is null ? "" : $"; {commonest.Count()} failed with: {commonest.Key}");
    }

    /// <summary>Completed trials best first, then the others by index.</summary>
    public IEnumerable<TrialSnapshot> ByMetric() => TrialOrder.BestFirst(Trials, Metric, t => (t.Status, t.Metrics, t.Index));
}

/// <summary>The order <c>sweep trials</c> lists trials in, whichever record of them it reads.</summary>
public static class TrialOrder
{
    /// <summary>Completed trials with the metric best first (ties by index), then the others by index.</summary>
    public static IEnumerable<T> BestFirst<T>(IEnumerable<T> trials, MetricSpec metric, Func<T, (TrialStatus Status, IReadOnlyDictionary<string, double> Metrics, int Index)> key) =>
        trials.Select(t => (Trial: t, Key: key(t)))
            .OrderBy(t => t.Key.Status == TrialStatus.Completed && t.Key.Metrics.ContainsKey(metric.Name) ? 0 : 1)
            .ThenByDescending(t => t.Key.Metrics.TryGetValue(metric.Name, out var v) ? metric.Direction.Goodness(v) : 0)
            .ThenBy(t => t.Key.Index)
            .Select(t => t.Trial);
}
