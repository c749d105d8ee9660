using System.Globalization;
using System.Text;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Models;

/// <summary>
/// A registered version's model card, in Markdown: where it came from, what it was trained with, how it scored (metrics, the
/// test confusion matrix, the curve per epoch) and what it ran with (lineage). Written once, when the version is registered.
/// </summary>
public static class ModelCard
{
    public static string Write(string name, string sweepId, MetricSpec metric, TrialDocument trial, TrialLineage? lineage, ConfusionFile? confusion)
    {
        var card = new StringBuilder();
        void Line(string text = "") => card.Append(text).Append('\n');
        Line($"# {name}");
        Line();
        Line($"Trial {trial.Index} of sweep {sweepId} (attempt {trial.Attempt}, seed {trial.Seed}), judged by {metric.Name} ({metric.Direction.ToString().ToLowerInvariant()}): "
            + (trial.Metrics.TryGetValue(metric.Name, out var value) ? Number(value) : "no value") + ".");
        if (trial.Reason is { } reason) Line($"Note: {Cell(reason)}.");
        Line();
        Line("## Parameters");
        Line();
        Table(Line, ["parameter", "value"], trial.Params.Leaves().Select(l => new[] { l.Name, Convert.ToString(l.Value.AsPlain(), CultureInfo.InvariantCulture) ?? "null" }));
        Line("## Metrics");
        Line();
        Table(Line, ["metric", "value"], trial.Metrics.Select(m => new[] { m.Key, Number(m.Value) }));
        if (confusion?.TestCounts is { } counts)
        {
            Line("## Test confusion matrix");
            Line();
            Table(Line, ["true \\ predicted", .. ConfusionFile.ClassNames],
                counts.Select((row, i) => (string[])[ConfusionFile.ClassNames[i], .. row.Select(c => c.ToString(CultureInfo.InvariantCulture))]));
        }
        if (trial.Curve is { Length: > 0 } curve)
        {
            Line("## Curve");
            Line();
            Table(Line, ["epoch", "training loss", metric.Name, "seconds"],
                curve.Select(p => new[] { p.Epoch.ToString(CultureInfo.InvariantCulture), p.Loss is { } l ? Number(l) : "", Number(p.Value), p.Seconds.ToString("0.0", CultureInfo.InvariantCulture) }));
        }
        Line("## Lineage");
        Line();
        var rows = new List<string[]> { new[] { "node", trial.Node ?? "" }, new[] { "device", trial.Device ?? "" } };
        if (lineage is not null)
        {
            rows.Add(["release", lineage.SweepCluster]);
            if (lineage.Runtime is { } runtime) rows.Add(["runtime", runtime]);
            if (lineage.Data is { } data) rows.Add(["data", $"{data.Folder} (sha256 {data.Sha256}, {data.Files} files)"]);
        }
        Table(Line, ["", ""], rows);
        return card.ToString();
    }

    private static void Table(Action<string> line, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        line($"| {string.Join(" | ", header.Select(Cell))} |");
        line($"|{string.Concat(header.Select(_ => "---|"))}");
        foreach (var row in rows) line($"| {string.Join(" | ", row.Select(Cell))} |");
        line("");
    }

    /// <summary>Text in a table cell: a pipe or a line break in a value would break the table.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
