using System.Globalization;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Node.Text;

/// <summary>A finished sweep as the study tabled it (best, mean and std of the metric), the best trial, then every trial.</summary>
internal static class SweepResultWriter
{
    public static void WriteTable(TextWriter output, SweepSnapshot sweep)
    {
        var summary = sweep.Summary;
        var metric = sweep.Metric.Name;
        output.WriteLine();
        output.WriteLine($"{sweep.Name} [{sweep.Id}] {sweep.Status.ToString().ToLowerInvariant()}: {summary.Completed} completed, {summary.Failed} failed, {summary.Pruned} pruned, {summary.Cancelled} cancelled");
        TextTable.Write(output, ["experiment", $"best {metric}", $"mean {metric}", "std"],
            [[sweep.Name, SweepText.Optional(summary.Max), SweepText.Optional(summary.Mean), SweepText.Optional(summary.Std)]], new HashSet<int> { 1, 2, 3 });
        if (sweep.Best is { } best)
        {
            output.WriteLine();
            SweepText.WriteBest(output, best, "best trial");
        }
        output.WriteLine();
        WriteTrials(output, sweep.Metric, sweep.ByMetric().Select(TrialDocument.Of));
        output.WriteLine($"run directory: {sweep.RunDirectory}");
    }

    public static void WriteTrials(TextWriter output, MetricSpec metric, IEnumerable<TrialDocument> trials)
    {
        var rows = trials.Select(t => (IReadOnlyList<string>)
        [
            t.Index.ToString(CultureInfo.InvariantCulture),
            t.Status.ToString().ToLowerInvariant(),
            t.Metrics.TryGetValue(metric.Name, out var v) ? SweepText.Format(v) : "",
            t.DurationSeconds is { } d ? d.ToString("0.0", CultureInfo.InvariantCulture) : "",
            t.Device ?? "",
            t.Status == TrialStatus.Completed && t.Reason is { } suspect ? $"{SweepText.Parameters(t.Params)} ({suspect})" : t.Reason ?? SweepText.Parameters(t.Params),
        ]).ToList();
        TextTable.Write(output, ["trial", "status", metric.Name, "seconds", "device", "params / reason"], rows, new HashSet<int> { 0, 2, 3 });
    }
}
