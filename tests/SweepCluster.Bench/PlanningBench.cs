using System.Diagnostics;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Spec;

namespace SweepCluster.Bench;

/// <summary>How fast experiment files parse and how many trials per second the planner produces.</summary>
internal static class PlanningBench
{
    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine("== planning ==");
        foreach (var file in new[] { "convnet.yml", "resnet.yml" })
        {
            var path = RepoPaths.Experiment(file);
            // Random sampling: a TPE plan lists only its start-up trials, the rest depend on results.
            var text = File.ReadAllText(path).Replace("kind: group", "kind: group\nsampler: random");
            var parseMicros = Measure(2000, () => ExperimentSpecParser.Parse(text, path));
            var spec = ExperimentSpecParser.Parse(text, path).Spec!;
            const int trials = 100_000;
            var planSeconds = Measure(3, () => TrialPlanner.Plan(spec, trials)) / 1e6;
            Console.WriteLine($"{file,-12} {spec.ParamSpace.Dimensions.Length,2} dimensions: parse {parseMicros,7:F1} us/file, "
                + $"plan {trials / planSeconds,10:N0} trials/s ({trials:N0} trials in {planSeconds * 1000:F0} ms)");
        }
    }

    /// <summary>Median microseconds per call over <paramref name="repeats"/> calls, after a warm-up.</summary>
    private static double Measure(int repeats, Action action)
    {
        action();
        var samples = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            samples[i] = watch.Elapsed.TotalMicroseconds;
        }
        Array.Sort(samples);
        return samples[repeats / 2];
    }
}
