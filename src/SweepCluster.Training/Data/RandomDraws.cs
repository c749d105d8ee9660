using SweepCluster.Core.Sampling;

namespace SweepCluster.Training.Data;

/// <summary>The draws the shower generator needs, on the project's portable PRNG.</summary>
internal static class RandomDraws
{
    public static double Uniform(this SplitMix64 rng, double low, double high) => low + (high - low) * rng.NextDouble();

    public static double LogNormal(this SplitMix64 rng, double median, double sigma) => median * Math.Exp(sigma * rng.NextGaussian());

    /// <summary>Knuth's method for small means; a rounded normal, accurate to well under a percent, for large ones.</summary>
    public static int Poisson(this SplitMix64 rng, double mean)
    {
        if (mean <= 0) return 0;
        if (mean > 40) return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * rng.NextGaussian()));
        var limit = Math.Exp(-mean);
        var count = 0;
        for (var product = rng.NextDouble(); product > limit; product *= rng.NextDouble()) count++;
        return count;
    }

    /// <summary>Marsaglia and Tsang's method (shape >= 1).</summary>
    public static double Gamma(this SplitMix64 rng, double shape, double scale)
    {
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = rng.NextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            var u = rng.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v * scale;
        }
    }
}
