using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sampling;

/// <summary>
/// The Tree-structured Parzen Estimator (Bergstra et al. 2011) with Optuna's defaults: the first
/// <see cref="StartupTrials"/> trials are random; after that the finished trials are split into the best
/// gamma(n) = min(ceil(n / 10), 25) and the rest, each dimension gets a Parzen estimator l(x) of the good ones and
/// g(x) of the others, and the value among <see cref="Candidates"/> draws from l with the highest l(x)/g(x) wins.
/// Running trials count as bad (the constant liar), so that workers asking at once get different suggestions.
/// Past <see cref="MaxModelled"/> finished trials, g(x) is estimated from an even sample of the others instead of all of
/// them: a suggestion then costs one pass over the results plus a bounded model, O(n + d * candidates * MaxModelled),
/// where Optuna's grows with every trial.
/// </summary>
/// <param name="maxModelled">Finished trials modelled at most (<see cref="MaxModelled"/>; the search benchmark sets a small one to show what sampling costs).</param>
public sealed class TpeSampler(SearchSpace space, GridLayout grid, long sweepSeed, MetricDirection direction, int maxModelled = TpeSampler.MaxModelled) : ISampler
{
    public const int StartupTrials = 10;
    public const int Candidates = 24;
    private const double PriorWeight = 1.0;

    /// <summary>Finished trials modelled at most: the good ones and an even sample of the rest, in the order they finished.</summary>
    public const int MaxModelled = 1000;

    private readonly IndexedSampler _random = new(space, grid, sweepSeed);

    public bool PlansAhead => false;

    public ParamValue.Map Suggest(SuggestRequest request)
    {
        var (good, observed) = Best(request.Finished);
        if (request.InStartup(StartupTrials, observed)) return _random.Suggest(request);
        var below = good.Select(f => f.Params).ToList();
        var above = Others(request.Finished, good, observed, maxModelled - good.Count).Select(f => f.Params).Concat(request.Running).ToList();
        var gridValues = grid.ValuesAt(request.TrialIndex % grid.Points);
        return space.Materialize(d => gridValues.TryGetValue(d, out var value)
            ? value
            : Suggest(d, t => space.ValueOf(t, d), below, above, SplitMix64.For(sweepSeed, request.TrialIndex, "tpe." + d.Path)));
    }

    private static bool IsObserved(FinishedTrial trial) => trial.Value is { } v && double.IsFinite(v);

    /// <summary>
    /// The best gamma(n) = min(ceil(n / 10), 25) of the n trials with a result, best first (ties to the earlier trial), and n:
    /// one pass over the results, keeping the best so far in order.
    /// </summary>
    private (List<FinishedTrial> Good, int Observed) Best(IReadOnlyList<FinishedTrial> finished)
    {
        bool Before(FinishedTrial a, FinishedTrial b) => direction.IsBetter(a.Value!.Value, than: b.Value!.Value) || (a.Value == b.Value && a.Index < b.Index);
        var best = new List<FinishedTrial>(26);
        var observed = 0;
        foreach (var trial in finished)
        {
            if (!IsObserved(trial)) continue;
            observed++;
            if (best.Count == 25 && !Before(trial, best[^1])) continue;
            var at = best.Count;
            while (at > 0 && Before(trial, best[at - 1])) at--;
            best.Insert(at, trial);
            if (best.Count > 25) best.RemoveAt(25);
        }
        return (best.Take(Math.Min((int)Math.Ceiling(0.1 * observed), 25)).ToList(), observed);
    }

    /// <summary>
    /// The trials with a result that are not among the good ones: all of them, or past <paramref name="count"/> of them an even
    /// sample over the order they finished in, read at evenly spaced places without a pass over all of them.
    /// </summary>
    private static IEnumerable<FinishedTrial> Others(IReadOnlyList<FinishedTrial> finished, List<FinishedTrial> good, int observed, int count)
    {
        var isGood = good.ToHashSet(ReferenceEqualityComparer.Instance);
        var places = observed - good.Count <= count ? Enumerable.Range(0, finished.Count)
            : Enumerable.Range(0, count).Select(i => (int)((long)i * finished.Count / count));
        return places.Select(i => finished[i]).Where(t => IsObserved(t) && !isGood.Contains(t));
    }

    /// <param name="valueIn">The dimension's value in a trial; null when the trial did not take the dimension's branch, so that each
    /// branch's dimensions are modelled on the trials that took it.</param>
    private static ParamValue Suggest(DimensionNode dimension, Func<ParamValue.Map, ParamValue?> valueIn, List<ParamValue.Map> below, List<ParamValue.Map> above, SplitMix64 rng)
    {
        var distribution = dimension.Distribution;
        if (distribution is Choice or Grid) return SuggestCategorical(distribution, valueIn, below, above, rng);
        var (low, high) = Bounds(distribution);
        List<double> Internal(List<ParamValue.Map> trials) =>
            [.. trials.Select(t => valueIn(t)?.AsNumber()).Where(v => v is not null).Select(v => ToInternal(distribution, v!.Value))];
        var good = new ParzenEstimator(Internal(below), low, high, PriorWeight);
        var bad = new ParzenEstimator(Internal(above), low, high, PriorWeight);
        var best = double.NaN;
        var bestScore = double.NegativeInfinity;
        for (var c = 0; c < Candidates; c++)
        {
            var x = Snap(distribution, good.Sample(rng));
            var score = good.LogDensity(x) - bad.LogDensity(x);
            if (score > bestScore) (best, bestScore) = (x, score);
        }
        return FromInternal(distribution, best);
    }

    /// <summary>Categories by weighted counts with a uniform prior: p(k) = (prior / K + count_k) / (prior + n).</summary>
    private static ParamValue SuggestCategorical(Distribution distribution, Func<ParamValue.Map, ParamValue?> valueIn, List<ParamValue.Map> below, List<ParamValue.Map> above, SplitMix64 rng)
    {
        var categories = (int)distribution.Cardinality!.Value;
        double[] Probabilities(List<ParamValue.Map> trials)
        {
            var p = Enumerable.Repeat(PriorWeight / categories, categories).ToArray();
            foreach (var value in trials.Select(valueIn))
                for (var k = 0; k < categories; k++)
                    if (Equals(distribution.ValueAt(k), value)) p[k] += 1;
            var total = p.Sum();
            return [.. p.Select(x => x / total)];
        }
        var good = Probabilities(below);
        var bad = Probabilities(above);
        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var c = 0; c < Candidates; c++)
        {
            var pick = rng.NextDouble();
            var k = 0;
            for (var acc = good[0]; acc < pick && k + 1 < categories; acc += good[++k]) { }
            var score = Math.Log(good[k]) - Math.Log(bad[k]);
            if (score > bestScore) (best, bestScore) = (k, score);
        }
        return distribution.ValueAt(best);
    }

    /// <summary>The continuous space TPE works in: logs for log distributions, ±0.5 around integers and steps.</summary>
    private static (double Low, double High) Bounds(Distribution d) => d switch
    {
        Uniform u => (u.Low, u.High),
        LogUniform l => (Math.Log(l.Low), Math.Log(l.High)),
        QLogUniform q => (Math.Log(q.Low), Math.Log(q.High)),
        Normal n => (n.Mean - 5 * n.Sigma, n.Mean + 5 * n.Sigma),
        _ => (-0.5, d.Cardinality!.Value - 0.5), // quniform, randint, range: the index of the value
    };

    private static double ToInternal(Distribution d, double value) => d switch
    {
        Uniform or Normal => value,
        LogUniform or QLogUniform => Math.Log(value),
        QUniform q => (value - q.Low) / q.Q,
        RandInt r => value - r.Low,
        IntRange range => (value - range.Start) / range.Step,
        _ => value,
    };

    private static double Snap(Distribution d, double x) => d switch
    {
        Uniform or Normal or LogUniform or QLogUniform => x,
        _ => Math.Clamp(Math.Round(x), 0, d.Cardinality!.Value - 1),
    };

    private static ParamValue FromInternal(Distribution d, double x) => d switch
    {
        Uniform or Normal => new ParamValue.Real(x),
        LogUniform l => new ParamValue.Real(Math.Clamp(Math.Exp(x), l.Low, l.High)),
        QLogUniform q => q.ValueAt(Math.Clamp((long)Math.Round((Math.Exp(x) - q.Low) / q.Q), 0, q.Cardinality!.Value - 1)),
        _ => d.ValueAt((long)x),
    };
}
