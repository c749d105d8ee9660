using System.Collections.Immutable;
using SweepCluster.Core.Results;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sweeps;

/// <summary>A finished trial of an earlier sweep that a warm-started sweep's sampler sees as one of its own results.</summary>
public sealed record WarmTrial(string Sweep, int Index, ParamValue.Map Params, double Value);

/// <summary>
/// What a warm-started sweep took from earlier sweeps, kept with its submission: the trials its sampler reuses, and those it
/// could not (the first <see cref="NotUsedListed"/> with the reason, and how many in all).
/// </summary>
public sealed record WarmStartReport(ImmutableArray<string> Sources, ImmutableArray<WarmTrial> Used, int NotUsedCount, ImmutableArray<string> NotUsed)
{
    public const int NotUsedListed = 50;

    public WarmStartSummary Summary() => new(Sources, Used.Length, NotUsedCount, NotUsed);
}

/// <summary>A warm start as sweep documents show it: the sources, how many of their trials were used, and why the others were not.</summary>
public sealed record WarmStartSummary(ImmutableArray<string> Sources, int Used, int NotUsedCount, ImmutableArray<string> NotUsed)
{
    public bool Equals(WarmStartSummary? other) => other is not null && Sources.SequenceEqual(other.Sources) && Used == other.Used
        && NotUsedCount == other.NotUsedCount && NotUsed.SequenceEqual(other.NotUsed);

    public override int GetHashCode() => HashCode.Combine(Used, NotUsedCount, Sources.Length, NotUsed.Length);
}

/// <summary>An earlier sweep as a warm start reads it: its id, its metric, its trials.</summary>
public sealed record WarmStartSource(string Sweep, MetricSpec Metric, IEnumerable<TrialDocument> Trials);

/// <summary>
/// Warm start (<c>sweep submit --warm-start</c>, <c>warm_start:</c>): the completed and pruned trials of earlier sweeps whose
/// parameters fit the new space become observations for its sampler; the new sweep's own trials and table stay its own.
/// </summary>
public static class WarmStart
{
    /// <summary>The report to submit the sweep with, or why the sources cannot guide it (another metric).</summary>
    public static (WarmStartReport? Report, string? Error) Decide(ExperimentSpec spec, IReadOnlyList<WarmStartSource> sources)
    {
        var used = ImmutableArray.CreateBuilder<WarmTrial>();
        var notUsed = ImmutableArray.CreateBuilder<string>();
        var notUsedCount = 0;
        foreach (var source in sources)
        {
            if (source.Metric.Name != spec.Metric.Name || source.Metric.Direction != spec.Metric.Direction)
                return (null, $"sweep {source.Sweep} measures {Describe(source.Metric)} and this experiment {Describe(spec.Metric)}: its results cannot guide this search");
            foreach (var trial in source.Trials.Where(t => t.Status is TrialStatus.Completed or TrialStatus.Pruned).OrderBy(t => t.Index))
            {
                var reason = trial.Metrics.TryGetValue(spec.Metric.Name, out var value) && double.IsFinite(value)
                    ? Misfit(spec.ParamSpace, trial.Params)
                    : $"it has no {spec.Metric.Name}";
                if (reason is null) used.Add(new WarmTrial(source.Sweep, trial.Index, trial.Params, value));
                else if (++notUsedCount <= WarmStartReport.NotUsedListed) notUsed.Add($"trial {trial.Index} of {source.Sweep}: {reason}");
            }
        }
        return (new WarmStartReport([.. sources.Select(s => s.Sweep)], used.ToImmutable(), notUsedCount, notUsed.ToImmutable()), null);
    }

    /// <summary>Why a trial's parameters do not fit the space (a dimension of a branch it took has no value, or one it cannot take), or null.</summary>
    public static string? Misfit(SearchSpace space, ParamValue.Map parameters)
    {
        foreach (var dimension in space.Dimensions.Where(d => space.IsSearchedIn(parameters, d)))
        {
            if (space.ValueOf(parameters, dimension) is not { } value) return $"it has no value for {dimension.Path}";
            if (!DimensionValues.Admits(dimension, value)) return $"{dimension.Path}={value} is not a value of {dimension.Distribution}";
        }
        return null;
    }

    private static string Describe(MetricSpec metric) => $"{metric.Name} ({metric.Direction.ToString().ToLowerInvariant()})";
}
