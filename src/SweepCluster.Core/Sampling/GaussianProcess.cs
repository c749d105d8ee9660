using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using MathNet.Numerics.Optimization;

namespace SweepCluster.Core.Sampling;

/// <summary>
/// A Gaussian process on the unit cube with a Matern 5/2 kernel, one length scale per coordinate (ARD), a signal and a
/// noise variance, fitted to standardized observations by maximising the log marginal likelihood (Nelder-Mead on the
/// log hyperparameters, with a weak log-normal prior on the length scales that keeps a handful of points from fitting
/// degenerate ones). Linear algebra by MathNet.Numerics: one Cholesky factor per likelihood evaluation.
/// </summary>
internal sealed class GaussianProcess
{
    private const double MinLogScale = -4.6; // 0.01 of the cube
    private const double MaxLogScale = 2.3; // 10 cubes: the coordinate hardly matters
    private const double PriorLogScale = -0.7; // 0.5 of the cube
    private const double PriorSpread = 1.5;
    private readonly IReadOnlyList<double[]> _points;
    private readonly double[] _scales;
    private readonly double _signal;
    private readonly double[,] _lower;
    private readonly double[] _alpha;

    private GaussianProcess(IReadOnlyList<double[]> points, double[] scales, double signal, Cholesky<double> cholesky, Vector<double> alpha) =>
        (_points, _scales, _signal, _lower, _alpha) = (points, scales, signal, cholesky.Factor.ToArray(), alpha.ToArray());

    /// <param name="y">Standardized: mean 0, variance 1.</param>
    public static GaussianProcess Fit(IReadOnlyList<double[]> points, IReadOnlyList<double> y)
    {
        var target = Vector<double>.Build.DenseOfEnumerable(y);
        var dims = points[0].Length;
        var n = points.Count;
        double Cost(Vector<double> theta)
        {
            var (scales, signal, noise) = Unpack(theta, dims);
            if (Factor(points, scales, signal, noise) is not { } factor) return 1e10;
            var alpha = factor.Solve(target);
            var logDet = 0.0;
            for (var i = 0; i < n; i++) logDet += Math.Log(factor.Factor[i, i]);
            var prior = Enumerable.Range(0, dims).Sum(d => Math.Pow((Math.Clamp(theta[d], MinLogScale, MaxLogScale) - PriorLogScale) / PriorSpread, 2) / 2);
            return 0.5 * target.DotProduct(alpha) + logDet + prior;
        }
        var start = Vector<double>.Build.Dense([.. Enumerable.Repeat(PriorLogScale, dims), 0.0, Math.Log(1e-2)]);
        var step = Vector<double>.Build.Dense(dims + 2, 0.7);
        Vector<double> best;
        try
        {
            best = NelderMeadSimplex.Minimum(ObjectiveFunction.Value(Cost), start, step, 1e-5, 150 * (dims + 2)).MinimizingPoint;
        }
        catch (MaximumIterationsException)
        {
            best = start; // the prior's guess: still a usable model
        }
        var (fitted, signalVariance, noiseVariance) = Unpack(best, dims);
        var cholesky = Factor(points, fitted, signalVariance, noiseVariance) ?? Factor(points, fitted, signalVariance, 1e-2)!;
        return new GaussianProcess(points, fitted, signalVariance, cholesky, cholesky.Solve(target));
    }

    private static (double[] Scales, double Signal, double Noise) Unpack(Vector<double> theta, int dims) =>
        ([.. Enumerable.Range(0, dims).Select(d => Math.Exp(Math.Clamp(theta[d], MinLogScale, MaxLogScale)))],
         Math.Exp(Math.Clamp(theta[dims], -3, 3)),
         Math.Exp(Math.Clamp(theta[dims + 1], Math.Log(1e-6), 0)));

    private static Cholesky<double>? Factor(IReadOnlyList<double[]> points, double[] scales, double signal, double noise)
    {
        var n = points.Count;
        var k = Matrix<double>.Build.Dense(n, n, (i, j) => Kernel(points[i], points[j], scales, signal));
        for (var i = 0; i < n; i++) k[i, i] += noise + 1e-8;
        try
        {
            return k.Cholesky();
        }
        catch (ArgumentException)
        {
            return null; // not positive definite at these hyperparameters
        }
    }

    private static double Kernel(double[] a, double[] b, double[] scales, double signal)
    {
        var r2 = 0.0;
        for (var d = 0; d < scales.Length; d++)
        {
            var t = (a[d] - b[d]) / scales[d];
            r2 += t * t;
        }
        var r = Math.Sqrt(5 * r2);
        return signal * (1 + r + r * r / 3) * Math.Exp(-r);
    }

    /// <summary>The posterior mean and standard deviation of the (noise-free) function at <paramref name="point"/>.</summary>
    public (double Mean, double Std) Predict(double[] point)
    {
        var n = _points.Count;
        var k = new double[n];
        var mean = 0.0;
        for (var i = 0; i < n; i++)
        {
            k[i] = Kernel(_points[i], point, _scales, _signal);
            mean += k[i] * _alpha[i];
        }
        // v = L^-1 k by forward substitution; the variance is k(x, x) - v.v
        var explained = 0.0;
        for (var i = 0; i < n; i++)
        {
            var sum = k[i];
            for (var j = 0; j < i; j++) sum -= _lower[i, j] * k[j];
            k[i] = sum / _lower[i, i];
            explained += k[i] * k[i];
        }
        return (mean, Math.Sqrt(Math.Max(1e-12, _signal - explained)));
    }

    /// <summary>log E[max(f - best, 0)], accurate far into the tail where expected improvement itself underflows.</summary>
    public static double LogExpectedImprovement(double mean, double std, double best)
    {
        var z = (mean - best) / std;
        if (z > -5)
        {
            var cdf = 0.5 * SpecialFunctions.Erfc(-z / Math.Sqrt(2));
            var pdf = Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);
            return Math.Log(std) + Math.Log(z * cdf + pdf);
        }
        // z * cdf + pdf ~ pdf / z^2 * (1 - 3 / z^2) as z goes to minus infinity
        return Math.Log(std) - 0.5 * z * z - 0.5 * Math.Log(2 * Math.PI) - 2 * Math.Log(-z) + Math.Log(1 - 3 / (z * z));
    }
}
