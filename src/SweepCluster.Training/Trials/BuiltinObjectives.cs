using System.Globalization;
using SweepCluster.Core.Files;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Training.Trials;

/// <summary>
/// Trainers that need no data: <c>builtin/sleep</c> for scheduling and fault tests, and the standard analytic
/// test functions Branin (minimum 0.397887) and Hartmann-6 (minimum -3.32237) for search quality, and <c>builtin/noisy</c>
/// (a known mean plus seeded noise) for confirmations. Each reports its result as the metric <c>value</c>.
/// </summary>
public static class BuiltinObjectives
{
    public static TrialOutcome Run(TrialJob job, Action<EpochReport> onEpoch, CancellationToken cancellation)
    {
        var p = new TrialParams(job.Params);
        return job.Trainer switch
        {
            "builtin/sleep" => Sleep(p, job.CheckpointDirectory, onEpoch, cancellation),
            "builtin/branin" => Single(Branin(InRange(p, "x1", -5, 10), InRange(p, "x2", 0, 15)), onEpoch),
            "builtin/hartmann6" => Single(Hartmann6([.. Enumerable.Range(1, 6).Select(i => InRange(p, $"x{i}", 0, 1))]), onEpoch),
            "builtin/noisy" => Single(Noisy(p.Real("mean"), p.NonNegativeReal("noise"), job.Seed), onEpoch),
            _ => throw new InvalidTrialException($"no built-in objective is called '{job.Trainer}'"),
        };
    }

    public static double Branin(double x1, double x2)
    {
        const double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        var q = x2 - b * x1 * x1 + c * x1 - 6;
        return q * q + 10 * (1 - t) * Math.Cos(x1) + 10;
    }

    /// <summary>
    /// A configuration's known <paramref name="mean"/> plus Gaussian noise of standard deviation <paramref name="noise"/>, drawn
    /// from the trial's seed: a stand-in for a network whose test score depends on its seed, to test noise-aware verdicts.
    /// </summary>
    public static double Noisy(double mean, double noise, long seed) => mean + noise * new SplitMix64(SplitMix64.Mix((ulong)seed)).NextGaussian();

    public static double Hartmann6(IReadOnlyList<double> x)
    {
        double[] alpha = [1.0, 1.2, 3.0, 3.2];
        double[,] a =
        {
            { 10, 3, 17, 3.5, 1.7, 8 }, { 0.05, 10, 17, 0.1, 8, 14 }, { 3, 3.5, 1.7, 10, 17, 8 }, { 17, 8, 0.05, 10, 0.1, 14 },
        };
        double[,] p =
        {
            { 0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886 }, { 0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991 },
            { 0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650 }, { 0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381 },
        };
        var sum = 0.0;
        for (var i = 0; i < 4; i++)
        {
            var inner = 0.0;
            for (var j = 0; j < 6; j++) inner += a[i, j] * (x[j] - p[i, j]) * (x[j] - p[i, j]);
            sum += alpha[i] * Math.Exp(-inner);
        }
        return -sum;
    }

    /// <summary>
    /// Sleeps <c>seconds</c> in <c>steps</c> equal parts, reporting <c>value</c> (or its step's element, when a list) after each.
    /// With a checkpoint folder it records each step done there, and a retried attempt sleeps only the steps left, as a
    /// trainer resumes from its last epoch.
    /// </summary>
    private static TrialOutcome Sleep(TrialParams p, string? checkpointDirectory, Action<EpochReport> onEpoch, CancellationToken cancellation)
    {
        var seconds = p.NonNegativeReal("seconds");
        var steps = p.Int("steps", min: 1, fallback: 1);
        var values = p.Values["value"] is ParamValue.List ? p.RealList("value", steps) : [.. Enumerable.Repeat(p.Real("value"), steps)];
        var stepFile = checkpointDirectory is null ? null : Path.Combine(checkpointDirectory, "sleep-steps-done");
        var done = stepFile is not null && File.Exists(stepFile) ? Math.Min(int.Parse(File.ReadAllText(stepFile), CultureInfo.InvariantCulture), steps) : 0;
        var epochs = new List<EpochReport>();
        for (var step = 1; step <= steps; step++)
        {
            var report = new EpochReport(step, values[step - 1], values[step - 1], seconds / steps, 0);
            epochs.Add(report);
            if (step <= done) continue;
            if (cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds / steps))) cancellation.ThrowIfCancellationRequested();
            if (stepFile is not null && step < steps) // after the last step the attempt ends: nothing is left to resume
            {
                Directory.CreateDirectory(checkpointDirectory!);
                AtomicFile.WriteAllText(stepFile, step.ToString(CultureInfo.InvariantCulture));
            }
            onEpoch(report);
        }
        return new TrialOutcome(new Dictionary<string, double> { ["value"] = values[^1] }, epochs, new Dictionary<string, string>());
    }

    private static TrialOutcome Single(double value, Action<EpochReport> onEpoch)
    {
        var report = new EpochReport(1, value, value, 0, 0);
        onEpoch(report);
        return new TrialOutcome(new Dictionary<string, double> { ["value"] = value }, [report], new Dictionary<string, string>());
    }

    private static double InRange(TrialParams p, string key, double low, double high)
    {
        var value = p.Real(key);
        return value >= low && value <= high ? value : throw new InvalidTrialException($"{key}: needs a number in [{low}, {high}] (got {value})");
    }
}
