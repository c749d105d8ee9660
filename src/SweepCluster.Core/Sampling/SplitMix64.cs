namespace SweepCluster.Core.Sampling;

/// <summary>
/// A small, portable PRNG (Steele, Lea and Flood's SplitMix64). System.Random's seeded output is not
/// promised across .NET versions; a sweep's plan must be, so the project carries its own.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1), 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [low, high], both included, without modulo bias (rejection sampling).</summary>
    public long NextInt64Inclusive(long low, long high)
    {
        var span = (ulong)(high - low) + 1UL;
        if (span == 0) return (long)NextUInt64(); // the whole 64-bit range
        var limit = ulong.MaxValue - (ulong.MaxValue % span);
        ulong draw;
        do draw = NextUInt64(); while (draw >= limit);
        return low + (long)(draw % span);
    }

    /// <summary>Standard normal by Box-Muller.</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble(); // (0, 1]: log stays finite
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>The SplitMix64 finaliser: a good 64-bit hash, used to derive independent streams.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A stream seeded by (sweep seed, trial index, a name), independent of every other name.</summary>
    public static SplitMix64 For(long sweepSeed, int trialIndex, string name) =>
        new(Mix(Mix((ulong)sweepSeed) ^ Mix((ulong)trialIndex + 0x632BE59BD9B4E019UL) ^ Fnv1a(name)));

    private static ulong Fnv1a(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 0x100000001B3UL;
        }
        return hash;
    }
}
