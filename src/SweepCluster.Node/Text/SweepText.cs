using System.Globalization;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;
using SweepCluster.Core.Trials;

namespace SweepCluster.Node.Text;

/// <summary>A sweep's progress in words: the headline (counts, why trials wait, the best so far) and a line per running trial.</summary>
internal static class SweepText
{
    /// <summary>The headline, then each running trial's epoch, value, device and node.</summary>
    public static IReadOnlyList<string> Progress(SweepOverview sweep, IEnumerable<TrialSnapshot> running) =>
    [
        Headline(sweep),
        .. running.Select(t =>
            $"  trial {t.Index,4}  epoch {(t.Epochs.Length > 0 ? t.Epochs[^1].Epoch : 0),3}  {sweep.Header.Metric.Name} {(t.Epochs.Length > 0 ? Format(t.Epochs[^1].Value) : "-"),8}  {t.Device} on {t.Node}"
            + (t.InEpoch is { } p ? $"  {InEpoch(p)}" : "")),
    ];

    /// <summary>How far a running epoch has got: <c>epoch 3 at 42%, 850 samples/s</c>.</summary>
    public static string InEpoch(EpochProgress p) =>
        $"epoch {p.Epoch} at {p.Fraction.ToString("0%", CultureInfo.InvariantCulture)}" + (p.SamplesPerSecond > 0 ? $", {p.SamplesPerSecond:0} samples/s" : "");

    public static string Headline(SweepOverview overview)
    {
        var (s, best) = (overview.Header, overview.Best);
        var bestText = best is null ? "no result yet"
            : $"best {s.Metric.Name} {Format(best.Metrics[s.Metric.Name])} (trial {best.Index}{(best.Reason is { } suspect ? $"; {suspect}" : "")})";
        var waiting = s.PendingReason is null ? "" : $" ({s.PendingReason})";
        return $"{s.Name} [{s.Id}]: {s.Done}/{s.TotalTrials} done, {s.Running} running, {s.Pending} pending{waiting} | {bestText}"
            + (s.EstimatedEnd is { } end ? $" | {Remaining(end - DateTimeOffset.UtcNow)}" : "");
    }

    /// <summary>How long until the estimated end, as a person says it.</summary>
    public static string Remaining(TimeSpan left) => left.TotalSeconds switch
    {
        < 1 => "ending",
        < 90 => $"about {left.TotalSeconds:0} s left",
        < 90 * 60 => $"about {left.TotalMinutes:0} min left",
        _ => $"about {left.TotalHours.ToString("0.0", CultureInfo.InvariantCulture)} h left",
    };

    /// <summary>What a warm-started sweep took from earlier sweeps: a line, then a line per trial not used (the first ones).</summary>
    public static IEnumerable<string> WarmStart(WarmStartSummary warm) =>
    [
        $"warm start from {string.Join(", ", warm.Sources)}: {warm.Used} trials used as observations, {warm.NotUsedCount} not fitting this space",
        .. warm.NotUsed.Select(reason => $"  not used: {reason}"),
        .. warm.NotUsedCount > warm.NotUsed.Length ? [$"  and {warm.NotUsedCount - warm.NotUsed.Length} more"] : Array.Empty<string>(),
    ];

    /// <summary>The best trial: its parameters, its metrics and where its artifacts are.</summary>
    public static void WriteBest(TextWriter output, TrialSnapshot best, string label)
    {
        output.WriteLine($"{label} {best.Index}: {Parameters(best.Params)}");
        output.WriteLine($"  {string.Join(", ", best.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {Format(m.Value)}"))}");
        if (best.Reason is { } suspect) output.WriteLine($"  {suspect}");
        if (best.ArtifactDirectory is not null) output.WriteLine($"  artifacts: {best.ArtifactDirectory}");
    }

    /// <summary>A confirmation's table, best mean first, and what it means for the source sweep's winner.</summary>
    public static void WriteVerdict(TextWriter output, ConfirmationVerdict verdict, SweepHeader confirmation)
    {
        var metric = confirmation.Metric.Name;
        var ended = confirmation.Summary.Completed + confirmation.Summary.Failed + confirmation.Summary.Pruned + confirmation.Summary.Cancelled;
        output.WriteLine($"confirmation {confirmation.Id} of sweep {verdict.SourceSweepId}: top {verdict.Configurations.Length} configurations, "
            + $"{verdict.Seeds} new seeds each; " + (verdict.Complete ? "complete" : $"{ended}/{confirmation.TotalTrials} trials ended, partial"));
        var direction = confirmation.Metric.Direction;
        var rows = verdict.Configurations.OrderByDescending(c => c.Mean is { } m ? direction.Goodness(m) : double.NegativeInfinity).Select(c => (IReadOnlyList<string>)
        [
            c.SourceTrial.ToString(CultureInfo.InvariantCulture), Format(c.SourceValue), c.Runs.ToString(CultureInfo.InvariantCulture),
            c.Failed.ToString(CultureInfo.InvariantCulture), Optional(c.Mean), Optional(c.Std), Optional(c.StandardError),
            c.ProbabilityBest.ToString("0.000", CultureInfo.InvariantCulture),
        ]).ToList();
        TextTable.Write(output, ["source trial", $"source {metric}", "runs", "failed", "mean", "std", "stderr", "P(best)"], rows, new HashSet<int> { 1, 2, 3, 4, 5, 6, 7 });
        var winner = verdict.Configurations[0];
        if (verdict.BestSourceTrial is not { } best) output.WriteLine("no configuration has a completed run yet");
        else if (verdict.OriginalWinnerStands)
            output.WriteLine($"the winner stands: trial {winner.SourceTrial} has the best mean {metric} (P(best) {winner.ProbabilityBest:0.000})");
        else
        {
            var better = verdict.Configurations.First(c => c.SourceTrial == best);
            output.WriteLine($"the winner does not stand: trial {best}'s configuration has the best mean {metric} {Format(better.Mean!.Value)} "
                + $"(P(best) {better.ProbabilityBest:0.000}); trial {winner.SourceTrial} ({Format(winner.SourceValue)} on its first seed) averages "
                + $"{Optional(winner.Mean)} (P(best) {winner.ProbabilityBest:0.000})");
            output.WriteLine($"  trial {best}: {Parameters(better.Params)}");
        }
        output.WriteLine($"P(best): the share of {verdict.Resamples:N0} bootstrap resamples of each configuration's runs in which its mean is the best.");
    }

    /// <summary>A trial's parameters on one line: <c>bs=128, lr=0.002</c>.</summary>
    public static string Parameters(ParamValue.Map parameters) => string.Join(", ", parameters.Entries.Select(e => $"{e.Key}={e.Value}"));

    /// <summary>A value that may not exist yet, or "-".</summary>
    public static string Optional(double? value) => value is { } v ? Format(v) : "-";

    public static string Format(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
