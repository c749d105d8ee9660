using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sampling;

/// <summary>
/// Bayesian optimisation with a Gaussian process, for small budgets (the study's 20-50 trials of minutes to hours each):
/// the first <see cref="StartupTrials"/> trials are random; after that a GP (Matern 5/2, <see cref="GaussianProcess"/>) is
/// fitted to every finished trial on the normalised space (<see cref="UnitCube"/>: log scales, integers by index,
/// categories one-hot), and the candidate with the highest log expected improvement wins, among
/// <see cref="RandomCandidates"/> random points and <see cref="LocalCandidates"/> near the best trials so far, each snapped to
/// values the dimensions can take. Running trials join the fit at the mean observed value (the constant liar), so workers
/// asking at once get different suggestions. Seeded by (sweep seed, trial index): the same results give the same suggestion.
/// Cost grows as n^3 in the points fitted: meant for hundreds of trials, not thousands (TPE is for those). So that a longer
/// sweep never stalls the coordinator, at most <see cref="MaxFitted"/> points are fitted: up to <see cref="MaxRunningFitted"/>
/// running trials, the <see cref="BestKept"/> best results, and the most recent of the others.
/// </summary>
public sealed class GpSampler(SearchSpace space, GridLayout grid, long sweepSeed, MetricDirection direction) : ISampler
{
    public const int StartupTrials = 10;
    private const int RandomCandidates = 1000;
    private const int LocalCandidates = 500;
    private const int LocalCentres = 5;
    /// <summary>About a second per suggestion on one core (100 points take 0.14 s, 300 took 4 s).</summary>
    public const int MaxFitted = 200;
    public const int MaxRunningFitted = 50;
    public const int BestKept = 25;

    private readonly IndexedSampler _random = new(space, grid, sweepSeed);

    public bool PlansAhead => false;

    public ParamValue.Map Suggest(SuggestRequest request)
    {
        var observed = request.Finished.Where(f => f.Value is { } v && double.IsFinite(v)).ToList();
        if (request.InStartup(StartupTrials, observed.Count)) return _random.Suggest(request);
        var running = request.Running.Skip(Math.Max(0, request.Running.Count - MaxRunningFitted)).ToList();
        observed = Fitted(observed, MaxFitted - running.Count, direction);
        var gridValues = grid.ValuesAt(request.TrialIndex % grid.Points);
        var cube = new UnitCube(space, space.Dimensions.Where(d => !gridValues.ContainsKey(d)));
        if (cube.Size == 0) return space.Materialize(d => gridValues[d]);

        // Maximise whatever the direction; standardize so that one prior suits every metric's scale.
        var raw = observed.Select(f => direction.Goodness(f.Value!.Value)).ToList();
        var mean = raw.Average();
        var spread = Math.Sqrt(raw.Average(v => (v - mean) * (v - mean)));
        if (spread < 1e-12) spread = 1; // every result equal: nothing to scale
        var points = observed.Select(f => cube.Encode(f.Params)).ToList();
        var y = raw.Select(v => (v - mean) / spread).ToList();
        var best = y.Max();
        foreach (var trial in running)
        {
            points.Add(cube.Encode(trial));
            y.Add(0); // the constant liar: a running trial counts as an average one
        }
        var gp = GaussianProcess.Fit(points, y);

        var rng = SplitMix64.For(sweepSeed, request.TrialIndex, "gp");
        var centres = observed.Select((f, i) => (Point: points[i], Value: y[i])).OrderByDescending(c => c.Value).Take(LocalCentres).Select(c => c.Point).ToList();
        var candidates = Enumerable.Range(0, RandomCandidates).Select(_ => cube.Random(rng))
            .Concat(Enumerable.Range(0, LocalCandidates).Select(i => cube.Near(centres[i % centres.Count], 0.05 + 0.15 * (i % 3), rng)));
        var chosen = candidates.MaxBy(c =>
        {
            var (m, s) = gp.Predict(c);
            return GaussianProcess.LogExpectedImprovement(m, s, best);
        })!;
        return space.Materialize(d => gridValues.TryGetValue(d, out var value) ? value : cube.Decode(d, chosen));
    }

    /// <summary>All the results when they fit in <paramref name="room"/>; else the best few and the most recent, in finish order.</summary>
    private static List<FinishedTrial> Fitted(List<FinishedTrial> observed, int room, MetricDirection direction)
    {
        if (observed.Count <= room) return observed;
        var best = observed.Select((f, i) => (Place: i, Value: direction.Goodness(f.Value!.Value))).OrderByDescending(f => f.Value).Take(BestKept).Select(f => f.Place).ToHashSet();
        var recent = Enumerable.Range(0, observed.Count).Reverse().Where(i => !best.Contains(i)).Take(room - best.Count);
        return [.. best.Concat(recent).Order().Select(i => observed[i])];
    }
}
