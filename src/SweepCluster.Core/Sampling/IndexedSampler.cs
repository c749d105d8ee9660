using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sampling;

/// <summary>
/// Random and grid sampling: trial i takes grid point i mod G and draws every other dimension from its own
/// stream seeded by (sweep seed, i, the dimension's path). So the plan is the same whatever the cluster size,
/// the timing, or the order of keys in the file, and adding a dimension leaves the others' values alone.
/// </summary>
public sealed class IndexedSampler(SearchSpace space, GridLayout grid, long sweepSeed) : ISampler
{
    public bool PlansAhead => true;

    public ParamValue.Map Suggest(SuggestRequest request)
    {
        var gridValues = grid.ValuesAt(request.TrialIndex % grid.Points);
        return space.Materialize(d =>
            gridValues.TryGetValue(d, out var value) ? value : d.Distribution.Sample(SplitMix64.For(sweepSeed, request.TrialIndex, d.Path)));
    }
}
