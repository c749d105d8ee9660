using System.Globalization;
using SweepCluster.Core.Analysis;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Reports;

/// <summary>The files a report wrote, relative to its folder.</summary>
public sealed record ReportFiles(string Folder, IReadOnlyList<string> Files);

/// <summary>
/// The study's report of one or more sweeps, written into a folder: <c>trials.csv</c>, <c>report.md</c>, <c>report.html</c>
/// and <c>figures/</c> (PNG and SVG). Per sweep the study's table (best, mean and standard deviation of the metric, with the
/// trials it counts), the best trial's parameters, parameter importance and the figures; with several sweeps first a table of
/// them side by side, as the study compared its four networks.
/// </summary>
public static class ReportWriter
{
    public const string FiguresFolder = "figures";

    public static ReportFiles Write(IReadOnlyList<ReportSweep> sweeps, string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, FiguresFolder));
        var files = new List<string> { "trials.csv", "report.md", "report.html" };
        using (var csv = new StreamWriter(Path.Combine(folder, "trials.csv"))) TrialTable.Write(csv, sweeps);
        var title = sweeps.Count == 1 ? $"{sweeps[0].Header.Name}: report" : $"Report of {sweeps.Count} sweeps";
        var document = new ReportDocument().Heading1(title);
        if (sweeps.Count > 1)
        {
            document.Heading2("Side by side");
            document.AddTable(["sweep", "name", "trainer", "metric", "best", "mean", "std", "completed", "failed", "pruned"],
                [.. sweeps.Select(s => (IReadOnlyList<string>)[s.Header.Id, s.Header.Name, s.Spec?.Trainer ?? "-", MetricText(s.Metric), .. SummaryCells(s.Header.Summary)])]);
        }
        foreach (var sweep in sweeps)
        {
            var analysis = new SearchAnalysis(sweep);
            var figures = Figures.Write(analysis, Path.Combine(folder, FiguresFolder), $"{FileSafe(sweep.Header.Id)}-");
            files.AddRange(figures.SelectMany(f => new[] { $"{FiguresFolder}/{f.Name}.png", $"{FiguresFolder}/{f.Name}.svg" }));
            Describe(document, analysis, figures, sweeps.Count > 1);
        }
        File.WriteAllText(Path.Combine(folder, "report.md"), document.ToMarkdown(FiguresFolder));
        File.WriteAllText(Path.Combine(folder, "report.html"), document.ToHtml(title, FiguresFolder));
        return new ReportFiles(folder, files);
    }

    private static void Describe(ReportDocument document, SearchAnalysis analysis, IReadOnlyList<Figure> figures, bool several)
    {
        var (header, summary) = (analysis.Sweep.Header, analysis.Sweep.Header.Summary);
        if (several) document.Heading2($"{header.Name} [{header.Id}]");
        else document.Text($"Sweep {header.Id}, {header.State.ToString().ToLowerInvariant()}, {header.Done}/{header.TotalTrials} trials done; run folder {header.RunDirectory}.");
        document.Heading3("Results");
        document.AddTable(["metric", "best", "mean", "std", "completed", "failed", "pruned"], [[MetricText(analysis.Sweep.Metric), .. SummaryCells(summary)]]);
        document.Text($"Best, mean and standard deviation (population, as numpy) are over the {summary.Completed} completed trials. "
            + $"The {summary.Failed} failed trials have no value and are left out; the {summary.Pruned} pruned trials stopped early, are left out of the "
            + "mean and never the best; cancelled ones never ran to the end. A trial retried after a failure counts once, by its last attempt.");
        if (analysis.Sweep.Best is { } best)
        {
            document.Heading3($"Best trial: {best.Index}");
            document.AddTable(["parameter", "value"], [.. best.Params.Leaves().Select(p => (IReadOnlyList<string>)[p.Name, p.Value.ToString()])]);
            document.Text(string.Join(", ", best.Metrics.Select(m => $"{m.Key} {Number(m.Value)}")) + (best.Artifacts is { } a ? $"; artifacts in {a}" : ""));
        }
        if (analysis.Importance.Count > 0)
        {
            document.Heading3("Parameter importance");
            document.Text($"PED-ANOVA (Watanabe et al. 2023): how much the values among the best {PedAnova.TopQuantile:P0} of the completed trials differ from "
                + "those among all of them (Pearson divergence of Parzen estimates, or of category frequencies), as shares of the total.");
            document.AddTable(["parameter", "importance"], [.. analysis.Importance.Select(i => (IReadOnlyList<string>)[i.Parameter, i.Importance.ToString("0.000", CultureInfo.InvariantCulture)])]);
        }
        document.Heading3("Figures");
        if (analysis.Finished.Count > Figures.MostLines)
            document.Text($"The learning curves and parallel coordinates draw {Figures.MostLines} trials: the best quarter of those and an even sample of the rest.");
        foreach (var figure in figures) document.AddFigure(figure);
    }

    private static IReadOnlyList<string> SummaryCells(SweepSummary s) =>
        [Optional(s.Max), Optional(s.Mean), Optional(s.Std), Count(s.Completed), Count(s.Failed), Count(s.Pruned)];

    private static string MetricText(MetricSpec metric) => $"{metric.Name} ({metric.Direction.ToString().ToLowerInvariant()})";

    private static string Optional(double? value) => value is { } v ? Number(v) : "-";

    private static string Number(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An id as part of a file name: a sweep id is eight hex digits, but one read from a node or a folder is not trusted to be.</summary>
    private static string FileSafe(string id) => new([.. id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
}
