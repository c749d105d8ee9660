using System.Collections.Immutable;

namespace SweepCluster.Core.Results;

/// <summary>
/// One network's line of the study's table: best, mean and standard deviation of the metric over every trial that ran,
/// a failed (diverged) trial counted as 0. A diverged network in the study predicted one class, which scores an F1 of 0 for
/// the proton class; leaving such trials out, as <see cref="SweepSummary"/> does, would raise the mean.
/// </summary>
/// <param name="Std">Population standard deviation, as numpy computes it.</param>
public sealed record StudyRow(string Trainer, int Completed, int Failed, double? Best, double? Mean, double? Std)
{
    public static StudyRow Of(string trainer, SweepSnapshot sweep)
    {
        var metric = sweep.Metric.Name;
        // Every trial that ran, a failed one as 0, summarised as any sweep is (best in the metric's direction, population std).
        var ran = sweep.Trials.Where(t => t.Status is TrialStatus.Completed or TrialStatus.Failed).Select(t => (TrialStatus.Completed,
            ImmutableDictionary<string, double>.Empty.Add(metric, t.Status == TrialStatus.Completed && t.Metrics.TryGetValue(metric, out var v) ? v : 0.0)));
        var summary = SweepSummary.Of(ran, sweep.Metric);
        var failed = sweep.Trials.Count(t => t.Status == TrialStatus.Failed);
        return new StudyRow(trainer, summary.Completed - failed, failed, summary.Max, summary.Mean, summary.Std);
    }
}
