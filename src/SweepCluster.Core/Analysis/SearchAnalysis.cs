using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Analysis;

/// <summary>A searched parameter as the report plots it: a column of <c>trials.csv</c> that takes more than one value.</summary>
/// <param name="Categorical">Plotted by value (boxplots), not on an axis: text, booleans, and the options of a <c>choice</c>.</param>
/// <param name="Log">Plotted on a log axis: a log-uniform dimension.</param>
public sealed record ReportParameter(string Name, bool Categorical, bool Log);

/// <summary>A finished trial as the figures read it: its flattened parameters and its metric value.</summary>
public sealed record ReportPoint(int Index, TrialStatus Status, IReadOnlyDictionary<string, ParamValue> Params, double Value, IReadOnlyList<EpochPoint> Curve);

/// <summary>What the report computes of one sweep: the searched parameters, the finished trials, and the parameters' importance.</summary>
public sealed class SearchAnalysis
{
    public SearchAnalysis(ReportSweep sweep)
    {
        Sweep = sweep;
        Finished = [.. sweep.Trials
            .Where(t => t.Status is TrialStatus.Completed or TrialStatus.Pruned && t.Metrics.TryGetValue(sweep.Metric.Name, out var v) && double.IsFinite(v))
            .OrderBy(t => t.Index)
            .Select(t => new ReportPoint(t.Index, t.Status, t.Params.Leaves().ToDictionary(p => p.Name, p => p.Value), t.Metrics[sweep.Metric.Name],
                t.Curve ?? []))];
        Completed = [.. Finished.Where(p => p.Status == TrialStatus.Completed)];
        Parameters = [.. SearchedParameters(sweep, Completed)];
        Importance = PedAnova.Importance(Parameters, Completed, sweep.Metric.Direction);
    }

    public ReportSweep Sweep { get; }

    /// <summary>Completed and pruned trials with a value, by index.</summary>
    public IReadOnlyList<ReportPoint> Finished { get; }

    public IReadOnlyList<ReportPoint> Completed { get; }

    public IReadOnlyList<ReportParameter> Parameters { get; }

    /// <summary>Each parameter's share of the importance (PED-ANOVA), largest first.</summary>
    public IReadOnlyList<(string Parameter, double Importance)> Importance { get; }

    /// <summary>The value with larger better, whatever the metric's direction (<see cref="MetricDirections.Goodness"/>).</summary>
    public double Goodness(double value) => Sweep.Metric.Direction.Goodness(value);

    public bool LargerIsBetter => Sweep.Metric.Direction == MetricDirection.Maximize;

    private static IEnumerable<ReportParameter> SearchedParameters(ReportSweep sweep, IReadOnlyList<ReportPoint> completed)
    {
        // The experiment says which columns are log-scaled or a choice; a dimension at out_channels[1] is the column out_channels.1.
        var dimensions = (sweep.Spec?.ParamSpace.Dimensions ?? []).ToLookup(d => d.Leaf);
        var names = completed.SelectMany(p => p.Params.Keys).Distinct();
        foreach (var name in names)
        {
            var values = completed.Select(p => p.Params.GetValueOrDefault(name)).OfType<ParamValue>().Where(v => v is not ParamValue.Null).Distinct().ToList();
            if (values.Count < 2) continue; // fixed, or never varied: nothing to see
            var categorical = values.Any(v => v.AsNumber() is null) || dimensions[name].Any(d => d.Distribution is Choice or Grid);
            var log = !categorical && dimensions[name].Any(d => d.IsLogScaled) && values.All(v => v.AsNumber() > 0);
            yield return new ReportParameter(name, categorical, log);
        }
    }

    /// <summary>The parameter's value in a trial as a number on its axis (log10 for log-scaled ones), or null.</summary>
    public static double? Coordinate(ReportParameter parameter, ReportPoint point) =>
        point.Params.GetValueOrDefault(parameter.Name)?.AsNumber() is { } x ? parameter.Log ? Math.Log10(x) : x : null;

    /// <summary>The parameter's categories in a stable order (numbers by value, others by text).</summary>
    public IReadOnlyList<string> Categories(ReportParameter parameter) =>
        [.. Completed.Select(p => p.Params.GetValueOrDefault(parameter.Name)).OfType<ParamValue>().Distinct()
            .OrderBy(v => v.AsNumber() ?? double.MaxValue).ThenBy(v => v.ToString(), StringComparer.Ordinal).Select(v => v.ToString())];

    public static string? Category(ReportParameter parameter, ReportPoint point) => point.Params.GetValueOrDefault(parameter.Name)?.ToString();
}

/// <summary>
/// PED-ANOVA (Watanabe et al. 2023, Optuna's <c>PedAnovaImportanceEvaluator</c>): a parameter matters as much as the
/// distribution of its values among the best 10% of completed trials differs from that among all of them, measured as the
/// Pearson divergence of the two densities (Parzen estimates on the parameter's normalised axis, or smoothed frequencies of
/// its categories); shares sum to 1. Deterministic: no seed is needed.
/// </summary>
public static class PedAnova
{
    public const double TopQuantile = 0.1;
    private const int Grid = 100;
    private const int Bins = 500;

    public static IReadOnlyList<(string Parameter, double Importance)> Importance(IReadOnlyList<ReportParameter> parameters, IReadOnlyList<ReportPoint> completed,
        MetricDirection direction)
    {
        var ranked = completed.OrderByDescending(p => direction.Goodness(p.Value)).ToList();
        var top = ranked.Take(Math.Max(2, (int)Math.Ceiling(TopQuantile * ranked.Count))).ToList();
        var raw = parameters.Select(p => (p.Name, Divergence: ranked.Count < 4 ? 0 : p.Categorical ? Categorical(p, top, ranked) : Numeric(p, top, ranked))).ToList();
        var total = raw.Sum(r => r.Divergence);
        return [.. raw.Select(r => (r.Name, total > 0 ? r.Divergence / total : 0)).OrderByDescending(r => r.Item2).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }

    private static double Categorical(ReportParameter parameter, List<ReportPoint> top, List<ReportPoint> all)
    {
        var categories = all.Select(p => SearchAnalysis.Category(parameter, p)).Distinct().ToList();
        double[] Frequencies(List<ReportPoint> points) =>
            [.. categories.Select(c => (points.Count(p => SearchAnalysis.Category(parameter, p) == c) + 1.0) / (points.Count + categories.Count))];
        return Pearson(Frequencies(top), Frequencies(all));
    }

    private static double Numeric(ReportParameter parameter, List<ReportPoint> top, List<ReportPoint> all)
    {
        var xs = all.Select(p => SearchAnalysis.Coordinate(parameter, p)).OfType<double>().ToList();
        if (xs.Count < 2) return 0;
        var (low, high) = (xs.Min(), xs.Max());
        if (high - low < 1e-12) return 0;
        double[] Density(List<ReportPoint> points)
        {
            var u = points.Select(p => SearchAnalysis.Coordinate(parameter, p)).OfType<double>().Select(x => (x - low) / (high - low)).ToList();
            var mean = u.Average();
            var sd = Math.Sqrt(u.Average(x => (x - mean) * (x - mean)));
            var bandwidth = Math.Max(0.02, 1.06 * Math.Max(sd, 0.05) * Math.Pow(u.Count, -0.2)); // Scott's rule, kept from collapsing
            // The values binned finely first, so that the estimate costs the same for a hundred trials or a hundred thousand.
            var bins = new double[Bins];
            foreach (var x in u) bins[Math.Min(Bins - 1, (int)(x * Bins))]++;
            var density = Enumerable.Range(0, Grid).Select(g => (g + 0.5) / Grid)
                .Select(x => bins.Select((count, b) => count * Math.Exp(-0.5 * Math.Pow((x - (b + 0.5) / Bins) / bandwidth, 2))).Sum()).ToArray();
            var sum = density.Sum();
            return [.. density.Select(d => d / sum)];
        }
        return Pearson(Density(top), Density(all));
    }

    /// <summary>The Pearson divergence of p from q: sum of q (p/q - 1)^2.</summary>
    private static double Pearson(double[] p, double[] q) => p.Zip(q, (a, b) => b <= 1e-12 ? 0 : b * Math.Pow(a / b - 1, 2)).Sum();
}
