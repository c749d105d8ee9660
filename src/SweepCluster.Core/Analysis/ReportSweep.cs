using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Analysis;

/// <summary>One sweep as a report reads it, from a run folder or from a cluster.</summary>
/// <param name="Spec">Its experiment, which says which parameters are log-scaled or categorical; null when it could not be read.</param>
/// <param name="BestConfusion">The best trial's <c>confusion.json</c>, when its trainer writes one.</param>
public sealed record ReportSweep(SweepHeader Header, IReadOnlyList<TrialDocument> Trials, ExperimentSpec? Spec, ConfusionFile? BestConfusion)
{
    public MetricSpec Metric => Header.Metric;

    /// <summary>The best completed trial (ties to the lower index), or null.</summary>
    public TrialDocument? Best => TrialOrder.BestFirst(Trials, Metric, t => (t.Status, t.Metrics, t.Index))
        .FirstOrDefault(t => t.Status == TrialStatus.Completed && t.Metrics.ContainsKey(Metric.Name));
}
