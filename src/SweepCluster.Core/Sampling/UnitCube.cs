using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sampling;

/// <summary>
/// The searched dimensions as coordinates in [0, 1], where a Gaussian process works: a continuous dimension linearly (on
/// a log scale for log-scaled ones), an ordered finite one (integers, steps) by its index, a category as one coordinate per
/// option (one-hot). Decoding snaps a point to a value the dimension can take, so encoding a decoded point gives the
/// point a trial really runs at.
/// </summary>
/// <remarks>A dimension of a branch a trial did not take is encoded as missing: the middle of its range, or no option of a category.</remarks>
internal sealed class UnitCube
{
    private readonly List<(DimensionNode Dimension, int Offset, int Width)> _slots = [];
    private readonly SearchSpace _space;

    public UnitCube(SearchSpace space, IEnumerable<DimensionNode> dimensions)
    {
        _space = space;
        foreach (var dimension in dimensions)
        {
            var width = IsCategory(dimension.Distribution) ? (int)dimension.Distribution.Cardinality!.Value : 1;
            _slots.Add((dimension, Size, width));
            Size += width;
        }
    }

    public int Size { get; }

    public IEnumerable<DimensionNode> Dimensions => _slots.Select(s => s.Dimension);

    private static bool IsCategory(Distribution d) => d is Choice or Grid;

    public double[] Encode(ParamValue.Map parameters)
    {
        var point = new double[Size];
        foreach (var slot in _slots) Write(slot, _space.ValueOf(parameters, slot.Dimension), point);
        return point;
    }

    /// <summary>The value of <paramref name="dimension"/> (one of this cube's) nearest to <paramref name="value"/>.</summary>
    public ParamValue Nearest(DimensionNode dimension, ParamValue value)
    {
        var point = new double[Size];
        Write(_slots.Single(s => s.Dimension == dimension), value, point);
        return Decode(dimension, point);
    }

    private static void Write((DimensionNode Dimension, int Offset, int Width) slot, ParamValue? value, double[] point)
    {
        var (dimension, offset, width) = slot;
        var d = dimension.Distribution;
        if (IsCategory(d))
        {
            for (var k = 0; k < width; k++) point[offset + k] = Equals(d.ValueAt(k), value) ? 1 : 0;
            return;
        }
        var x = value?.AsNumber() ?? double.NaN;
        point[offset] = Math.Clamp(d switch
        {
            Uniform u => (x - u.Low) / (u.High - u.Low),
            LogUniform l => (Math.Log(x) - Math.Log(l.Low)) / (Math.Log(l.High) - Math.Log(l.Low)),
            QLogUniform q => (Math.Log(x) - Math.Log(q.Low)) / (Math.Log(q.High) - Math.Log(q.Low)),
            Normal n => (x - n.Mean + 3 * n.Sigma) / (6 * n.Sigma),
            QUniform q => Index(d, (x - q.Low) / q.Q),
            RandInt r => Index(d, x - r.Low),
            IntRange range => Index(d, (x - range.Start) / range.Step),
            _ => 0.5,
        }, 0, 1);
        if (double.IsNaN(point[offset])) point[offset] = 0.5; // a value missing (another branch, an older trial): the middle, as uninformative as any
    }

    private static double Index(Distribution d, double k) => d.Cardinality is > 1 ? k / (d.Cardinality.Value - 1) : 0.5;

    /// <summary>The value of <paramref name="dimension"/> at <paramref name="point"/>: the nearest one it can take.</summary>
    public ParamValue Decode(DimensionNode dimension, double[] point)
    {
        var (_, offset, width) = _slots.Single(s => s.Dimension == dimension);
        var d = dimension.Distribution;
        if (IsCategory(d)) return d.ValueAt(Enumerable.Range(0, width).MaxBy(k => point[offset + k]));
        var u = Math.Clamp(point[offset], 0, 1);
        double Log(double low, double high) => Math.Exp(Math.Log(low) + u * (Math.Log(high) - Math.Log(low)));
        return d switch
        {
            Uniform x => new ParamValue.Real(x.Low + u * (x.High - x.Low)),
            LogUniform l => new ParamValue.Real(Math.Clamp(Log(l.Low, l.High), l.Low, l.High)),
            QLogUniform q => q.ValueAt(Math.Clamp((long)Math.Round((Log(q.Low, q.High) - q.Low) / q.Q), 0, q.Cardinality!.Value - 1)),
            Normal n => new ParamValue.Real(n.Mean - 3 * n.Sigma + u * 6 * n.Sigma),
            _ => d.ValueAt((long)Math.Round(u * (d.Cardinality!.Value - 1))),
        };
    }

    /// <summary>A uniformly random point (one option of each category), snapped to values the dimensions can take.</summary>
    public double[] Random(SplitMix64 rng)
    {
        var point = new double[Size];
        foreach (var (_, offset, width) in _slots)
        {
            if (width > 1) point[offset + (int)rng.NextInt64Inclusive(0, width - 1)] = 1;
            else point[offset] = rng.NextDouble();
        }
        return Snap(point);
    }

    /// <summary>A point near <paramref name="centre"/>: each coordinate moved by a normal step, each category changed with probability 1/dimensions.</summary>
    public double[] Near(double[] centre, double step, SplitMix64 rng)
    {
        var point = (double[])centre.Clone();
        foreach (var (_, offset, width) in _slots)
        {
            if (width == 1)
            {
                point[offset] = Math.Clamp(centre[offset] + step * rng.NextGaussian(), 0, 1);
            }
            else if (rng.NextDouble() < 1.0 / _slots.Count)
            {
                Array.Clear(point, offset, width);
                point[offset + (int)rng.NextInt64Inclusive(0, width - 1)] = 1;
            }
        }
        return Snap(point);
    }

    private double[] Snap(double[] point)
    {
        var snapped = new double[Size];
        foreach (var slot in _slots) Write(slot, Decode(slot.Dimension, point), snapped);
        return snapped;
    }
}
