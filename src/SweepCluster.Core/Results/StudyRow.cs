using SweepCluster.Core.Spec;

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
        var values = sweep.Trials
            .Where(t => t.Status is TrialStatus.Completed or TrialStatus.Failed)
            .Select(t => t.Status == TrialStatus.Completed && t.Metrics.TryGetValue(sweep.Metric.Name, out var v) ? v : 0.0)
            .ToList();
        var failed = sweep.Trials.Count(t => t.Status == TrialStatus.Failed);
        if (values.Count == 0) return new StudyRow(trainer, 0, failed, null, null, null);
        var mean = values.Average();
        var best = sweep.Metric.Direction == MetricDirection.Maximize ? values.Max() : values.Min();
        return new StudyRow(trainer, values.Count - failed, failed, best, mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count));
    }
}
