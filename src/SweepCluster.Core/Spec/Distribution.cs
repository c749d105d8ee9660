using System.Collections.Immutable;
using System.Globalization;
using SweepCluster.Core.Sampling;

namespace SweepCluster.Core.Spec;

/// <summary>
/// One searched dimension, written in <c>param_space</c> as <c>name(args)</c>. Bounds are checked when the
/// spec is parsed (<see cref="DistributionParser"/>), so every instance here is valid.
/// </summary>
public abstract record Distribution
{
    public abstract ParamValue Sample(SplitMix64 rng);

    /// <summary>How many values the dimension can take when that number is finite; otherwise null.</summary>
    public virtual long? Cardinality => null;

    /// <summary>The k-th value, in order, of a finite dimension (0 &lt;= k &lt; <see cref="Cardinality"/>).</summary>
    public virtual ParamValue ValueAt(long k) => throw new InvalidOperationException($"{this} has no finite list of values");

    /// <summary>The text the user wrote, normalised: <c>loguniform(0.0001, 0.01)</c>.</summary>
    public abstract override string ToString();

    protected static string Num(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Real in [low, high).</summary>
public sealed record Uniform(double Low, double High) : Distribution
{
    public override ParamValue Sample(SplitMix64 rng) => new ParamValue.Real(Low + (High - Low) * rng.NextDouble());

    public override string ToString() => $"uniform({Num(Low)}, {Num(High)})";
}

/// <summary>Real in [low, high) whose logarithm is uniform.</summary>
public sealed record LogUniform(double Low, double High) : Distribution
{
    public override ParamValue Sample(SplitMix64 rng)
    {
        var logLow = Math.Log(Low);
        return new ParamValue.Real(Math.Exp(logLow + (Math.Log(High) - logLow) * rng.NextDouble()));
    }

    public override string ToString() => $"loguniform({Num(Low)}, {Num(High)})";
}

/// <summary>
/// One of low, low+q, ..., up to high, each equally likely (Optuna's discrete uniform, which SnapperML used).
/// </summary>
public sealed record QUniform(double Low, double High, double Q) : Distribution
{
    public override ParamValue Sample(SplitMix64 rng) => ValueAt(rng.NextInt64Inclusive(0, Quantized.LastStep(Low, High, Q)));

    public override long? Cardinality => Quantized.LastStep(Low, High, Q) + 1;

    public override ParamValue ValueAt(long k) => new ParamValue.Real(Quantized.Step(Low, Q, k));

    public override string ToString() => $"quniform({Num(Low)}, {Num(High)}, {Num(Q)})";
}

/// <summary>
/// A log-uniform draw in [low, high] rounded to the nearest of low, low+q, ..., up to high: small values are
/// as likely as under loguniform, and every result lies on the grid.
/// </summary>
public sealed record QLogUniform(double Low, double High, double Q) : Distribution
{
    public override ParamValue Sample(SplitMix64 rng)
    {
        var logLow = Math.Log(Low);
        var draw = Math.Exp(logLow + (Math.Log(High) - logLow) * rng.NextDouble());
        var step = Math.Min((long)Math.Round((draw - Low) / Q), Quantized.LastStep(Low, High, Q));
        return ValueAt(step);
    }

    public override long? Cardinality => Quantized.LastStep(Low, High, Q) + 1;

    public override ParamValue ValueAt(long k) => new ParamValue.Real(Quantized.Step(Low, Q, k));

    public override string ToString() => $"qloguniform({Num(Low)}, {Num(High)}, {Num(Q)})";
}

public sealed record Normal(double Mean, double Sigma) : Distribution
{
    public override ParamValue Sample(SplitMix64 rng) => new ParamValue.Real(Mean + Sigma * rng.NextGaussian());

    public override string ToString() => $"normal({Num(Mean)}, {Num(Sigma)})";
}

/// <summary>Integer in [low, high], both bounds included (SnapperML and Optuna semantics).</summary>
public sealed record RandInt(long Low, long High) : Distribution
{
    public override ParamValue Sample(SplitMix64 rng) => new ParamValue.Int(rng.NextInt64Inclusive(Low, High));

    public override long? Cardinality => High - Low + 1;

    public override ParamValue ValueAt(long k) => new ParamValue.Int(Low + k);

    public override string ToString() => $"randint({Low}, {High})";
}

/// <summary>The values of Python's <c>range(start, stop, step)</c>: stop excluded, order kept.</summary>
public sealed record IntRange(long Start, long Stop, long Step) : Distribution
{
    public long Count => Step > 0 ? (Stop - Start + Step - 1) / Step : (Start - Stop - Step - 1) / -Step;

    public override ParamValue Sample(SplitMix64 rng) => ValueAt(rng.NextInt64Inclusive(0, Count - 1));

    public override long? Cardinality => Count;

    public override ParamValue ValueAt(long k) => new ParamValue.Int(Start + Step * k);

    public override string ToString() => $"range({Start}, {Stop}, {Step})";
}

/// <summary>One of the listed values, each equally likely.</summary>
public sealed record Choice(ImmutableArray<ParamValue> Options) : Distribution
{
    public override ParamValue Sample(SplitMix64 rng) => Options[(int)rng.NextInt64Inclusive(0, Options.Length - 1)];

    public override long? Cardinality => Options.Length;

    public override ParamValue ValueAt(long k) => Options[(int)k];

    public bool Equals(Choice? other) => other is not null && Options.SequenceEqual(other.Options);

    public override int GetHashCode() => Options.Aggregate(17, HashCode.Combine);

    public override string ToString() => $"choice({ListLiteral.Format(Options)})";
}

/// <summary>
/// A grid dimension (Ray Tune's <c>grid_search</c>): every value is run, each <c>num_trials</c> times.
/// It is never sampled; the planner picks the value from the trial's index.
/// </summary>
public sealed record Grid(ImmutableArray<ParamValue> Values) : Distribution
{
    public override ParamValue Sample(SplitMix64 rng) =>
        throw new InvalidOperationException("grid dimensions are enumerated by the planner, not sampled");

    public override long? Cardinality => Values.Length;

    public override ParamValue ValueAt(long k) => Values[(int)k];

    public bool Equals(Grid? other) => other is not null && Values.SequenceEqual(other.Values);

    public override int GetHashCode() => Values.Aggregate(17, HashCode.Combine);

    public override string ToString() => $"grid({ListLiteral.Format(Values)})";
}

/// <summary>The arithmetic of the quantized distributions: points low + k*q for k = 0..LastStep.</summary>
internal static class Quantized
{
    // A little slack so that high = low + k*q survives floating-point error (0.1 + 3*0.1 != 0.4).
    public static long LastStep(double low, double high, double q) => (long)Math.Floor((high - low) / q + 1e-9);

    // Rounded to 15 significant digits so that 0.1 + 3*0.1 prints as 0.4.
    public static double Step(double low, double q, long k) =>
        double.Parse((low + k * q).ToString("G15", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}

internal static class ListLiteral
{
    public static string Format(IEnumerable<ParamValue> values) =>
        "[" + string.Join(", ", values.Select(v => v is ParamValue.Text t ? $"'{t.Value}'" : v.ToString())) + "]";
}
