using System.Globalization;
using ScottPlot;
using SweepCluster.Core.Analysis;
using SweepCluster.Core.Results;

namespace SweepCluster.Reports;

/// <summary>A figure written as PNG and SVG: its file name without extension and what it shows.</summary>
public sealed record Figure(string Name, string Caption);

/// <summary>
/// The report's figures, drawn with ScottPlot and written as PNG and SVG: optimisation history, parameter importance,
/// a slice plot per parameter (log axes for log-scaled ones), boxplots per categorical parameter, learning curves,
/// parallel coordinates, and the best trial's labelled confusion matrices.
/// </summary>
public static class Figures
{
    private const int Width = 800;
    private const int Height = 500;

    /// <summary>Above this many trials, the curves and parallel coordinates draw the best ones and an even sample of the rest.</summary>
    public const int MostLines = 2000;

    private static readonly Color CompletedColor = Colors.SteelBlue;
    private static readonly Color PrunedColor = Colors.Gray.WithAlpha(0.6);
    private static readonly Color BestColor = Colors.OrangeRed;

    /// <summary>Draws every figure of the sweep into <paramref name="folder"/>, each file name starting with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<Figure> Write(SearchAnalysis analysis, string folder, string prefix)
    {
        var figures = new List<Figure>();
        void Save(Plot plot, string name, string caption, int width = Width, int height = Height)
        {
            plot.SavePng(Path.Combine(folder, $"{prefix}{name}.png"), width, height);
            plot.SaveSvg(Path.Combine(folder, $"{prefix}{name}.svg"), width, height);
            figures.Add(new Figure(prefix + name, caption));
        }
        var metric = analysis.Sweep.Metric.Name;
        Save(History(analysis), "history", $"Optimisation history: {metric} of each finished trial by index (pruned ones grey), and the best so far");
        if (analysis.Parameters.Count > 0)
            Save(Importance(analysis), "importance", $"Parameter importance for {metric} (PED-ANOVA: the best {PedAnova.TopQuantile:P0} of completed trials against all)");
        foreach (var parameter in analysis.Parameters)
        {
            var file = FileName(parameter.Name);
            Save(Slice(analysis, parameter), $"slice-{file}", $"{metric} against {parameter.Name}{(parameter.Log ? " (log axis)" : "")}");
            if (parameter.Categorical) Save(Boxes(analysis, parameter), $"box-{file}", $"{metric} by {parameter.Name}");
        }
        if (analysis.Finished.Any(p => p.Curve.Count > 0))
            Save(Curves(analysis), "curves", $"Learning curves: {metric} after each epoch (pruned trials grey, ending in a cross)");
        if (analysis.Parameters.Count > 1)
            Save(Parallel(analysis), "parallel", $"Parallel coordinates of the completed trials, coloured by {metric} (darker is better)", Math.Max(Width, 140 * analysis.Parameters.Count));
        if (analysis.Sweep.BestConfusion is { } confusion && analysis.Sweep.Best is { } best)
            Save(Confusion(confusion), "confusion", $"Confusion matrices of the best trial ({best.Index}): counts and rates by true class", 900, 420);
        return figures;
    }

    private static string FileName(string parameter) => new([.. parameter.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '-')]);

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        plot.Title(title, 15);
        plot.XLabel(x, 13);
        plot.YLabel(y, 13);
        return plot;
    }

    private static Plot History(SearchAnalysis analysis)
    {
        var metric = analysis.Sweep.Metric.Name;
        var plot = NewPlot($"{analysis.Sweep.Header.Name}: optimisation history", "trial", metric);
        foreach (var (status, color, label) in new[] { (TrialStatus.Completed, CompletedColor, "completed"), (TrialStatus.Pruned, PrunedColor, "pruned") })
        {
            var points = analysis.Finished.Where(p => p.Status == status).ToList();
            if (points.Count == 0) continue;
            var scatter = plot.Add.ScatterPoints(points.Select(p => (double)p.Index).ToArray(), points.Select(p => p.Value).ToArray(), color);
            scatter.MarkerSize = 5;
            scatter.LegendText = label;
        }
        var best = new List<(double X, double Y)>();
        foreach (var p in analysis.Completed)
            if (best.Count == 0 || analysis.Goodness(p.Value) > analysis.Goodness(best[^1].Y)) best.Add((p.Index, p.Value));
        if (best.Count > 0)
        {
            best.Add((analysis.Finished[^1].Index, best[^1].Y));
            var line = plot.Add.Scatter(best.Select(b => b.X).ToArray(), best.Select(b => b.Y).ToArray(), BestColor);
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.LegendText = "best so far";
        }
        plot.ShowLegend(analysis.LargerIsBetter ? Alignment.LowerRight : Alignment.UpperRight); // away from where the best values gather
        return plot;
    }

    private static Plot Importance(SearchAnalysis analysis)
    {
        var plot = NewPlot("Parameter importance (PED-ANOVA)", "share of importance", "");
        var rows = analysis.Importance.Reverse().ToList(); // the most important on top
        var bars = plot.Add.Bars(rows.Select(r => r.Importance).ToArray());
        bars.Horizontal = true;
        foreach (var bar in bars.Bars) bar.FillColor = CompletedColor;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, rows.Count).Select(i => (double)i)], [.. rows.Select(r => r.Parameter)]);
        plot.Axes.Margins(left: 0, right: 0.1);
        return plot;
    }

    private static Plot Slice(SearchAnalysis analysis, ReportParameter parameter)
    {
        var metric = analysis.Sweep.Metric.Name;
        var plot = NewPlot($"{metric} against {parameter.Name}", parameter.Name, metric);
        var points = analysis.Completed;
        if (parameter.Categorical)
        {
            var categories = analysis.Categories(parameter);
            var xs = points.Select(p => (double)categories.ToList().IndexOf(SearchAnalysis.Category(parameter, p)!) + Jitter(p.Index)).ToArray();
            plot.Add.ScatterPoints(xs, points.Select(p => p.Value).ToArray(), CompletedColor).MarkerSize = 5;
            CategoryTicks(plot, categories);
        }
        else
        {
            var withValue = points.Where(p => SearchAnalysis.Coordinate(parameter, p) is not null).ToList();
            plot.Add.ScatterPoints(withValue.Select(p => SearchAnalysis.Coordinate(parameter, p)!.Value).ToArray(), withValue.Select(p => p.Value).ToArray(), CompletedColor).MarkerSize = 5;
            if (parameter.Log) LogTicks(plot);
        }
        return plot;
    }

    private static Plot Boxes(SearchAnalysis analysis, ReportParameter parameter)
    {
        var metric = analysis.Sweep.Metric.Name;
        var plot = NewPlot($"{metric} by {parameter.Name}", parameter.Name, metric);
        var categories = analysis.Categories(parameter);
        for (var i = 0; i < categories.Count; i++)
        {
            var values = analysis.Completed.Where(p => SearchAnalysis.Category(parameter, p) == categories[i]).Select(p => p.Value).Order().ToList();
            if (values.Count == 0) continue;
            var box = plot.Add.Box(new Box
            {
                Position = i,
                BoxMin = Quantile(values, 0.25),
                BoxMax = Quantile(values, 0.75),
                BoxMiddle = Quantile(values, 0.5),
                WhiskerMin = values[0],
                WhiskerMax = values[^1],
            });
            box.FillColor = CompletedColor.WithAlpha(0.4);
        }
        CategoryTicks(plot, [.. categories.Select(c => $"{c} ({analysis.Completed.Count(p => SearchAnalysis.Category(parameter, p) == c)})")]);
        return plot;
    }

    private static Plot Curves(SearchAnalysis analysis)
    {
        var metric = analysis.Sweep.Metric.Name;
        var plot = NewPlot("Learning curves", "epoch", metric);
        foreach (var point in Drawn(analysis, analysis.Finished).Where(p => p.Curve.Count > 0))
        {
            var pruned = point.Status == TrialStatus.Pruned;
            var line = plot.Add.ScatterLine(point.Curve.Select(e => (double)e.Epoch).ToArray(), point.Curve.Select(e => e.Value).ToArray(), pruned ? PrunedColor : CompletedColor.WithAlpha(0.7));
            line.LineWidth = 1;
            if (pruned) plot.Add.Marker(point.Curve[^1].Epoch, point.Curve[^1].Value, MarkerShape.Cross, 8, PrunedColor);
        }
        return plot;
    }

    private static Plot Parallel(SearchAnalysis analysis)
    {
        var plot = NewPlot($"Parallel coordinates (colour: {analysis.Sweep.Metric.Name})", "", "");
        var parameters = analysis.Parameters;
        var completed = Drawn(analysis, analysis.Completed).OrderBy(p => analysis.Goodness(p.Value)).ToList(); // the best drawn last, on top
        if (completed.Count == 0) return plot;
        var (worst, best) = (analysis.Goodness(completed[0].Value), analysis.Goodness(completed[^1].Value));
        var scales = parameters.Select(p => Scale(analysis, p)).ToList();
        var colormap = new ScottPlot.Colormaps.Viridis();
        foreach (var point in completed)
        {
            var ys = parameters.Select((p, i) => scales[i](point)).ToArray();
            var goodness = best > worst ? (analysis.Goodness(point.Value) - worst) / (best - worst) : 1;
            var line = plot.Add.ScatterLine([.. Enumerable.Range(0, parameters.Count).Select(i => (double)i)], ys, colormap.GetColor(1 - goodness).WithAlpha(0.6));
            line.LineWidth = 1;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. Enumerable.Range(0, parameters.Count).Select(i => (double)i)], [.. parameters.Select(p => p.Name)]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([0, 1], ["low", "high"]);
        plot.Axes.SetLimitsX(-0.3, parameters.Count - 0.7);
        return plot;
    }

    /// <summary>Where a trial sits on a parameter's axis of the parallel coordinates, from 0 to 1 (a category by its rank).</summary>
    private static Func<ReportPoint, double> Scale(SearchAnalysis analysis, ReportParameter parameter)
    {
        if (parameter.Categorical)
        {
            var categories = analysis.Categories(parameter).ToList();
            return p => categories.Count < 2 ? 0.5 : (double)categories.IndexOf(SearchAnalysis.Category(parameter, p)!) / (categories.Count - 1);
        }
        var xs = analysis.Completed.Select(p => SearchAnalysis.Coordinate(parameter, p)).OfType<double>().ToList();
        var (low, high) = (xs.Min(), xs.Max());
        return p => SearchAnalysis.Coordinate(parameter, p) is { } x && high > low ? (x - low) / (high - low) : 0.5;
    }

    /// <summary>Every point, or past <see cref="MostLines"/> the best quarter of that and an even sample of the rest.</summary>
    private static IReadOnlyList<ReportPoint> Drawn(SearchAnalysis analysis, IReadOnlyList<ReportPoint> points)
    {
        if (points.Count <= MostLines) return points;
        var ranked = points.OrderByDescending(p => analysis.Goodness(p.Value)).ToList();
        var best = ranked.Take(MostLines / 4).ToList();
        var rest = ranked.Skip(best.Count).ToList();
        var step = (double)rest.Count / (MostLines - best.Count);
        return [.. best, .. Enumerable.Range(0, MostLines - best.Count).Select(i => rest[(int)(i * step)])];
    }

    private static Plot Confusion(ConfusionFile confusion)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        plot.Title("Confusion matrices of the best trial (rows: true class, columns: predicted)", 14);
        var colormap = new ScottPlot.Colormaps.Blues();
        foreach (var (part, rates, counts, offset) in new[] { ("train", confusion.Train, confusion.TrainCounts, 0.0), ("test", confusion.Test, confusion.TestCounts, 3.0) })
        {
            for (var row = 0; row < 2; row++)
                for (var column = 0; column < 2; column++)
                {
                    var (x, y) = (offset + column, 1 - row);
                    var rectangle = plot.Add.Rectangle(x, x + 1, y, y + 1);
                    rectangle.FillColor = colormap.GetColor(1 - rates[row][column]); // ScottPlot's Blues runs from dark to light
                    rectangle.LineColor = Colors.Gray;
                    var count = counts is null ? "" : counts[row][column].ToString("N0", CultureInfo.InvariantCulture) + "\n";
                    var text = plot.Add.Text($"{count}{rates[row][column]:P1}", x + 0.5, y + 0.5);
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontSize = 16;
                    text.LabelFontColor = rates[row][column] > 0.5 ? Colors.White : Colors.Black;
                }
            var caption = plot.Add.Text(part, offset + 1, 2.25);
            caption.LabelAlignment = Alignment.MiddleCenter;
            caption.LabelFontSize = 16;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([0.5, 1.5, 3.5, 4.5], [.. ConfusionFile.ClassNames, .. ConfusionFile.ClassNames]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([1.5, 0.5], ConfusionFile.ClassNames);
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        plot.Axes.SetLimits(-0.2, 5.2, -0.1, 2.5);
        plot.Grid.IsVisible = false;
        return plot;
    }

    private static void CategoryTicks(Plot plot, IReadOnlyList<string> categories)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. Enumerable.Range(0, categories.Count).Select(i => (double)i)], [.. categories]);
        plot.Axes.SetLimitsX(-0.6, categories.Count - 0.4);
    }

    /// <summary>An axis that shows log10 coordinates as the values they stand for, with minor ticks between decades.</summary>
    private static void LogTicks(Plot plot) => plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = x => Math.Pow(10, x).ToString("G3", CultureInfo.InvariantCulture),
    };

    /// <summary>A trial's fixed offset within its category, so that equal values do not hide each other.</summary>
    private static double Jitter(int index) => ((index * 0.6180339887) % 1 - 0.5) * 0.3;

    /// <summary>Linear interpolation between order statistics, as numpy's default.</summary>
    private static double Quantile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        return below + 1 < sorted.Count ? sorted[below] + (position - below) * (sorted[below + 1] - sorted[below]) : sorted[below];
    }
}
