using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sampling;

/// <summary>Whether a value given by a user or an earlier sweep is one a dimension can take (enqueue, warm start).</summary>
public static class DimensionValues
{
    /// <summary>A value the dimension can take: within its bounds, one of its steps or options; any number for a normal.</summary>
    public static bool Admits(DimensionNode dimension, ParamValue value)
    {
        if (value.AsNumber() is { } number && !double.IsFinite(number)) return false;
        if (dimension.Distribution is Normal) return value.AsNumber() is not null;
        var nearest = Nearest(dimension, value);
        return nearest.AsNumber() is { } a && value.AsNumber() is { } b ? Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b)) : Equals(nearest, value);
    }

    /// <summary>The value as the dimension's own type: <c>lr=1</c> is the real 1.0 of a uniform, <c>bs=128.0</c> the integer of a randint.</summary>
    public static ParamValue Admitted(DimensionNode dimension, ParamValue value) =>
        dimension.Distribution.Cardinality is null && value.AsNumber() is { } number ? new ParamValue.Real(number) : Nearest(dimension, value);

    private static ParamValue Nearest(DimensionNode dimension, ParamValue value) => new UnitCube(SearchSpace.Empty, [dimension]).Nearest(dimension, value);
}
