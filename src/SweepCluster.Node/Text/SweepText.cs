using System.Globalization;
using SweepCluster.Core.Results;

namespace SweepCluster.Node.Text;

/// <summary>A sweep's progress in words: the headline (counts, why trials wait, the best so far) and a line per running trial.</summary>
internal static class SweepText
{
    /// <summary>The headline, then each running trial's epoch, value, device and node.</summary>
    public static IReadOnlyList<string> Progress(SweepOverview sweep, IEnumerable<TrialSnapshot> running) =>
    [
        Headline(sweep),
        .. running.Select(t =>
            $"  trial {t.Index,4}  epoch {(t.Epochs.Length > 0 ? t.Epochs[^1].Epoch : 0),3}  {sweep.Header.Metric.Name} {(t.Epochs.Length > 0 ? Format(t.Epochs[^1].Value) : "-"),8}  {t.Device} on {t.Node}"),
    ];

    public static IReadOnlyList<string> Progress(SweepSnapshot sweep) => Progress(SweepOverview.Of(sweep), sweep.Trials.Where(t => t.Status == TrialStatus.Running));

    public static string Headline(SweepOverview overview)
    {
        var (s, best) = (overview.Header, overview.Best);
        var bestText = best is null ? "no result yet" : $"best {s.Metric.Name} {Format(best.Metrics[s.Metric.Name])} (trial {best.Index})";
        var waiting = s.PendingReason is null ? "" : $" ({s.PendingReason})";
        return $"{s.Name} [{s.Id}]: {s.Done}/{s.TotalTrials} done, {s.Running} running, {s.Pending} pending{waiting} | {bestText}";
    }

    /// <summary>The best trial: its parameters, its metrics and where its artifacts are.</summary>
    public static void WriteBest(TextWriter output, TrialSnapshot best, string label)
    {
        output.WriteLine($"{label} {best.Index}: {string.Join(", ", best.Params.Entries.Select(e => $"{e.Key}={e.Value}"))}");
        output.WriteLine($"  {string.Join(", ", best.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {Format(m.Value)}"))}");
        if (best.ArtifactDirectory is not null) output.WriteLine($"  artifacts: {best.ArtifactDirectory}");
    }

    public static string Format(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
