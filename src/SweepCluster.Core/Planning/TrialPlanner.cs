using System.Collections.Immutable;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Planning;

/// <param name="Seed">The trial's own training seed, derived from the sweep seed and its index.</param>
/// <param name="Params">The fixed <c>params</c> followed by the sampled ones; null for a trial an adaptive sampler chooses from results.</param>
public sealed record PlannedTrial(int Index, long Seed, ParamValue.Map? Params)
{
    public bool IsFixedInAdvance => Params is not null;
}

/// <param name="Notice">Something the user should know about how the plan was made, or null.</param>
public sealed record SweepPlan(ExperimentSpec Spec, long Seed, int TotalTrials, ImmutableArray<PlannedTrial> Trials, string? Notice);

/// <summary>Turns a spec into its trials: the sampler to ask, the trial count, seeds and full parameter sets.</summary>
public static class TrialPlanner
{
    /// <summary>A sweep larger than this is almost certainly a mistake in the grid (and would not fit a status page).</summary>
    public const long MaxTrials = 1_000_000;

    /// <summary>num_trials (or its override) times the number of grid points, as in Ray Tune.</summary>
    public static long TotalTrials(ExperimentSpec spec, int? trialsOverride = null)
    {
        var points = GridLayout.For(spec.ParamSpace, spec.Sampler).Points;
        var perPoint = trialsOverride ?? spec.NumTrials;
        return points > long.MaxValue / perPoint ? long.MaxValue : points * perPoint;
    }

    public static ISampler CreateSampler(ExperimentSpec spec, long sweepSeed)
    {
        var grid = GridLayout.For(spec.ParamSpace, spec.Sampler);
        return spec.Sampler switch
        {
            SamplerKind.Tpe => new TpeSampler(spec.ParamSpace, grid, sweepSeed, spec.Metric.Direction),
            SamplerKind.Gp => new GpSampler(spec.ParamSpace, grid, sweepSeed, spec.Metric.Direction),
            _ => new IndexedSampler(spec.ParamSpace, grid, sweepSeed),
        };
    }

    /// <summary>True when the trial's parameters are known before any result: always for random and grid, the start-up trials for TPE and GP.</summary>
    public static bool IsFixedInAdvance(ExperimentSpec spec, int trialIndex) => !IsAdaptive(spec) || trialIndex < StartupTrials(spec);

    private static bool IsAdaptive(ExperimentSpec spec) => spec.Sampler is SamplerKind.Tpe or SamplerKind.Gp;

    private static int StartupTrials(ExperimentSpec spec) => spec.Sampler == SamplerKind.Gp ? GpSampler.StartupTrials : TpeSampler.StartupTrials;

    /// <summary>What the user should know about how the plan was made, or null.</summary>
    public static string? Notice(ExperimentSpec spec, int totalTrials) => IsAdaptive(spec) && totalTrials > StartupTrials(spec)
        ? $"sampler {spec.Sampler.ToString().ToLowerInvariant()}: trials 0-{StartupTrials(spec) - 1} are sampled at random; the others are chosen from the results so far, so they are not listed"
        : null;

    public static long TrialSeed(long sweepSeed, int trialIndex) =>
        (long)(SplitMix64.For(sweepSeed, trialIndex, "trial.seed").NextUInt64() >> 33);

    /// <summary>The trial's full parameters: the fixed ones, then the sampled ones.</summary>
    public static ParamValue.Map WithFixedParams(ExperimentSpec spec, ParamValue.Map sampled) =>
        new([.. spec.Params.Entries, .. sampled.Entries]);

    /// <summary>Every trial of a sweep: parameters for those fixed in advance, only index and seed for the adaptive ones.</summary>
    public static SweepPlan Plan(ExperimentSpec spec, int? trialsOverride = null, long? seedOverride = null)
    {
        var seed = seedOverride ?? spec.Seed;
        var total = TotalTrials(spec, trialsOverride);
        if (total > MaxTrials)
            throw new ArgumentOutOfRangeException(nameof(trialsOverride), $"the sweep would run {total} trials; at most {MaxTrials} are allowed");
        var sampler = CreateSampler(spec, seed);
        var trials = Enumerable.Range(0, (int)total)
            .Select(i => new PlannedTrial(i, TrialSeed(seed, i),
                IsFixedInAdvance(spec, i) ? WithFixedParams(spec, sampler.Suggest(SuggestRequest.Ahead(i))) : null))
            .ToImmutableArray();
        return new SweepPlan(spec, seed, (int)total, trials, Notice(spec, (int)total));
    }
}
