namespace SweepCluster.Core.Sampling;

/// <summary>
/// A one-dimensional Parzen estimator on [low, high]: a mixture of normal kernels truncated to the bounds, one per
/// observation plus a wide prior kernel at the centre. Bandwidths are the distance to the farther neighbour,
/// clipped below by (high - low) / min(100, 1 + n) and above by (high - low), as Optuna's TPE does.
/// </summary>
internal sealed class ParzenEstimator
{
    private readonly double[] _mu;
    private readonly double[] _sigma;
    private readonly double[] _weight;
    /// <summary>Each kernel's log of weight over its normalising constant: what its log density adds to -z^2/2.</summary>
    private readonly double[] _logScale;
    private readonly double _low;
    private readonly double _high;

    public ParzenEstimator(IReadOnlyList<double> observations, double low, double high, double priorWeight)
    {
        (_low, _high) = (low, high);
        var width = high - low;
        var points = observations.Select(o => Math.Clamp(o, low, high)).Append((low + high) / 2).ToArray();
        var order = Enumerable.Range(0, points.Length).OrderBy(i => points[i]).ToArray();
        _mu = points;
        _sigma = new double[points.Length];
        var minSigma = width / Math.Min(100.0, 1.0 + observations.Count);
        for (var r = 0; r < order.Length; r++)
        {
            var left = r > 0 ? points[order[r]] - points[order[r - 1]] : points[order[r]] - low;
            var right = r + 1 < order.Length ? points[order[r + 1]] - points[order[r]] : high - points[order[r]];
            _sigma[order[r]] = Math.Clamp(Math.Max(left, right), minSigma, width);
        }
        _sigma[^1] = width; // the prior kernel spans the whole range
        _weight = [.. Enumerable.Repeat(1.0, observations.Count), priorWeight];
        var total = _weight.Sum();
        for (var i = 0; i < _weight.Length; i++) _weight[i] /= total;
        _logScale = [.. Enumerable.Range(0, points.Length).Select(i => Math.Log(_weight[i]) - Math.Log(_sigma[i] * Math.Sqrt(2 * Math.PI))
            - Math.Log(Math.Max(1e-300, StandardNormal.Cdf((high - _mu[i]) / _sigma[i]) - StandardNormal.Cdf((low - _mu[i]) / _sigma[i]))))];
    }

    public double Sample(SplitMix64 rng)
    {
        var pick = rng.NextDouble();
        var k = 0;
        for (var acc = _weight[0]; acc < pick && k + 1 < _weight.Length; acc += _weight[++k]) { }
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var x = _mu[k] + _sigma[k] * rng.NextGaussian();
            if (x >= _low && x <= _high) return x;
        }
        return Math.Clamp(_mu[k], _low, _high);
    }

    public double LogDensity(double x)
    {
        // log-sum-exp over the kernels, for numbers that stay finite far out in the tails; two passes rather than an array per call
        var max = double.NegativeInfinity;
        for (var i = 0; i < _mu.Length; i++) max = Math.Max(max, Term(i, x));
        var sum = 0.0;
        for (var i = 0; i < _mu.Length; i++) sum += Math.Exp(Term(i, x) - max);
        return max + Math.Log(sum);
    }

    private double Term(int i, double x)
    {
        var z = (x - _mu[i]) / _sigma[i];
        return _logScale[i] - 0.5 * z * z;
    }
}

/// <summary>The standard normal's distribution function (erf by Abramowitz and Stegun 7.1.26, error below 1.5e-7).</summary>
internal static class StandardNormal
{
    public static double Cdf(double z) => 0.5 * (1 + Erf(z / Math.Sqrt(2)));

    private static double Erf(double x)
    {
        var sign = Math.Sign(x);
        x = Math.Abs(x);
        var t = 1 / (1 + 0.3275911 * x);
        var y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return sign * y;
    }
}
