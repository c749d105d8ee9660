using System.Collections.Immutable;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sampling;

/// <summary>
/// Which dimensions a sweep enumerates instead of sampling: <c>grid([...])</c> ones always (Ray Tune's
/// <c>grid_search</c>), and under <c>sampler: grid</c> every finite one. Every point runs num_trials times.
/// </summary>
public sealed class GridLayout
{
    private GridLayout(ImmutableArray<DimensionNode> dimensions, long points)
    {
        Dimensions = dimensions;
        Points = points;
    }

    public ImmutableArray<DimensionNode> Dimensions { get; }

    /// <summary>The number of grid points (1 without grid dimensions); saturates at long.MaxValue.</summary>
    public long Points { get; }

    public static bool IsEnumerated(Distribution distribution, SamplerKind sampler) =>
        distribution is Grid || (sampler == SamplerKind.Grid && distribution.Cardinality is not null);

    public static GridLayout For(SearchSpace space, SamplerKind sampler)
    {
        var dimensions = space.Dimensions.Where(d => IsEnumerated(d.Distribution, sampler)).ToImmutableArray();
        var points = 1L;
        foreach (var d in dimensions)
            points = d.Distribution.Cardinality!.Value > long.MaxValue / points ? long.MaxValue : points * d.Distribution.Cardinality!.Value;
        return new GridLayout(dimensions, points);
    }

    /// <summary>The value of each grid dimension at a point; the last dimension varies fastest, as in itertools.product.</summary>
    public Dictionary<DimensionNode, ParamValue> ValuesAt(long point)
    {
        var values = new Dictionary<DimensionNode, ParamValue>(ReferenceEqualityComparer.Instance);
        for (var i = Dimensions.Length - 1; i >= 0; i--)
        {
            var size = Dimensions[i].Distribution.Cardinality!.Value;
            values[Dimensions[i]] = Dimensions[i].Distribution.ValueAt(point % size);
            point /= size;
        }
        return values;
    }
}
