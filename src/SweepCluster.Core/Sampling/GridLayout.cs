using System.Collections.Immutable;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sampling;

/// <summary>
/// Which dimensions a sweep enumerates instead of sampling: <c>grid([...])</c> ones always (Ray Tune's
/// <c>grid_search</c>), and under <c>sampler: grid</c> every finite one, branches included: a choice of branches is as
/// many points as its branches have together. Every point runs num_trials times.
/// </summary>
public sealed class GridLayout
{
    private readonly Group _root;

    private GridLayout(Group root) => _root = root;

    /// <summary>The number of grid points (1 without grid dimensions); saturates at long.MaxValue.</summary>
    public long Points => _root.Size;

    public static bool IsEnumerated(Distribution distribution, SamplerKind sampler) =>
        distribution is Grid || (sampler == SamplerKind.Grid && distribution.Cardinality is not null);

    public static GridLayout For(SearchSpace space, SamplerKind sampler) => new(new Group([.. FactorsOf(space.Root, sampler)]));

    /// <summary>
    /// The value of each enumerated dimension at a point (the dimensions of branches the point does not take have none);
    /// the last factor varies fastest, as in itertools.product.
    /// </summary>
    public Dictionary<DimensionNode, ParamValue> ValuesAt(long point)
    {
        var values = new Dictionary<DimensionNode, ParamValue>(ReferenceEqualityComparer.Instance);
        _root.Decode(point, values);
        return values;
    }

    private static IEnumerable<Factor> FactorsOf(SpaceNode node, SamplerKind sampler) => node switch
    {
        DimensionNode d when IsEnumerated(d.Distribution, sampler) => [new DimensionFactor(d)],
        // Only sampler grid enumerates branches; the parser allows grid() inside a branch only then.
        BranchNode b when sampler == SamplerKind.Grid => [new BranchFactor(b.Selector, [.. b.Branches.Select(m => new Group([.. FactorsOf(m, sampler)]))])],
        ListNode l => l.Items.SelectMany(i => FactorsOf(i, sampler)),
        MapNode m => m.Entries.SelectMany(e => FactorsOf(e.Value, sampler)),
        _ => [],
    };

    private abstract class Factor
    {
        public abstract long Size { get; }

        /// <param name="point">0 &lt;= point &lt; <see cref="Size"/>.</param>
        public abstract void Decode(long point, Dictionary<DimensionNode, ParamValue> values);
    }

    private sealed class DimensionFactor(DimensionNode dimension) : Factor
    {
        public override long Size => dimension.Distribution.Cardinality!.Value;

        public override void Decode(long point, Dictionary<DimensionNode, ParamValue> values) => values[dimension] = dimension.Distribution.ValueAt(point);
    }

    /// <summary>Factors that vary together: every combination of their values.</summary>
    private sealed class Group(ImmutableArray<Factor> factors) : Factor
    {
        public override long Size { get; } = factors.Aggregate(1L, (size, f) => f.Size > long.MaxValue / size ? long.MaxValue : size * f.Size);

        public override void Decode(long point, Dictionary<DimensionNode, ParamValue> values)
        {
            for (var i = factors.Length - 1; i >= 0; i--)
            {
                factors[i].Decode(point % factors[i].Size, values);
                point /= factors[i].Size;
            }
        }
    }

    /// <summary>A choice of branches: the points of the first branch, then those of the second, and so on.</summary>
    private sealed class BranchFactor(DimensionNode selector, ImmutableArray<Group> branches) : Factor
    {
        public override long Size { get; } = branches.Aggregate(0L, (size, b) => b.Size > long.MaxValue - size ? long.MaxValue : size + b.Size);

        public override void Decode(long point, Dictionary<DimensionNode, ParamValue> values)
        {
            for (var k = 0; k < branches.Length; k++)
            {
                if (point < branches[k].Size)
                {
                    values[selector] = selector.Distribution.ValueAt(k);
                    branches[k].Decode(point, values);
                    return;
                }
                point -= branches[k].Size;
            }
        }
    }
}
