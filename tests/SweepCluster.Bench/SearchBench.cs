using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;
using SweepCluster.Training.Trials;

namespace SweepCluster.Bench;

/// <summary>
/// Search quality: the best value found after 25, 50 and 100 trials by TPE and by random search (median of 10
/// seeds) on analytic objectives; TPE's suggestion time as finished trials grow; and on the synthetic showers the
/// convnet sweep by random search without pruning against TPE with ASHA, trials and epochs counted.
/// </summary>
internal static class SearchBench
{
    private sealed record Objective(string Name, string Space, Func<ParamValue.Map, double> Value);

    private static double X(ParamValue.Map p, string key) => p[key]!.AsNumber()!.Value;

    private static readonly Objective[] Objectives =
    [
        new("branin (2-D, min 0.3979)", "  x1: uniform(-5, 10)\n  x2: uniform(0, 15)", p => BuiltinObjectives.Branin(X(p, "x1"), X(p, "x2"))),
        new("hartmann6 (6-D, min -3.3224)", string.Join("\n", Enumerable.Range(1, 6).Select(i => $"  x{i}: uniform(0, 1)")),
            p => BuiltinObjectives.Hartmann6([.. Enumerable.Range(1, 6).Select(i => X(p, $"x{i}"))])),
        // A training-like surface: a log-scale learning rate, an integer batch size, a category (min 0).
        new("mixed lr/bs/optimizer (min 0)", "  lr: loguniform(0.00001, 0.1)\n  bs: randint(16, 512)\n  opt: choice(['sgd', 'adam', 'rmsprop'])",
            p => Math.Pow(Math.Log10(X(p, "lr")) + 2.7, 2) + Math.Pow((X(p, "bs") - 120) / 100, 2) + (((ParamValue.Text)p["opt"]!).Value == "adam" ? 0 : 0.6)),
    ];

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine("== search quality: best value after N trials, median of 10 seeds (minimizing) ==");
        Console.WriteLine($"{"objective",-30} {"sampler",-8} {"25",10} {"50",10} {"100",10}");
        foreach (var objective in Objectives)
            foreach (var sampler in new[] { "random", "tpe" })
            {
                var runs = Enumerable.Range(1, 10).Select(seed => BestAfter(objective, sampler, seed, [25, 50, 100])).ToList();
                string Median(int i) => runs.Select(r => r[i]).Order().ElementAt(5).ToString("0.0000", CultureInfo.InvariantCulture);
                Console.WriteLine($"{objective.Name,-30} {sampler,-8} {Median(0),10} {Median(1),10} {Median(2),10}");
            }
        Latency();
        Convnet();
    }

    private static double[] BestAfter(Objective objective, string sampler, long seed, int[] checkpoints)
    {
        var spec = ExperimentSpecParser.Parse($"name: bench\nnum_trials: {checkpoints[^1]}\nsampler: {sampler}\nseed: {seed}\nparam_space:\n{objective.Space}\nmetric:\n  name: value\n  direction: minimize\nrun: builtin/branin\n", "bench.yml").Spec!;
        var s = TrialPlanner.CreateSampler(spec, seed);
        var finished = new List<FinishedTrial>();
        var best = double.PositiveInfinity;
        var results = new List<double>();
        for (var i = 0; i < checkpoints[^1]; i++)
        {
            var p = s.Suggest(new SuggestRequest(i, finished, []));
            var value = objective.Value(p);
            finished.Add(new FinishedTrial(i, p, value));
            best = Math.Min(best, value);
            if (checkpoints.Contains(i + 1)) results.Add(best);
        }
        return [.. results];
    }

    private static void Latency()
    {
        Console.WriteLine();
        Console.WriteLine("== TPE suggestion time (hartmann6, 6 dimensions), median of 20 asks ==");
        var objective = Objectives[1];
        var spec = ExperimentSpecParser.Parse($"name: bench\nnum_trials: 1\nsampler: tpe\nparam_space:\n{objective.Space}\nmetric:\n  name: value\n  direction: minimize\nrun: builtin/hartmann6\n", "bench.yml").Spec!;
        var random = new IndexedSampler(spec.ParamSpace, GridLayout.For(spec.ParamSpace, spec.Sampler), 1);
        foreach (var n in new[] { 100, 1000, 10_000 })
        {
            var finished = Enumerable.Range(0, n).Select(i => random.Suggest(SuggestRequest.Ahead(i))).Select((p, i) => new FinishedTrial(i, p, objective.Value(p))).ToList();
            var tpe = TrialPlanner.CreateSampler(spec, 1);
            var times = Enumerable.Range(0, 21).Select(k =>
            {
                var watch = Stopwatch.StartNew();
                tpe.Suggest(new SuggestRequest(n + k, finished, []));
                return watch.Elapsed.TotalMilliseconds;
            }).Skip(1).Order().ToList();
            Console.WriteLine($"{n,7} finished trials: {times[10],8:F2} ms per suggestion");
        }
    }

    /// <summary>The study's convnet sweep on a small synthetic set, through sweepctl run as a user would run it.</summary>
    private static void Convnet()
    {
        Console.WriteLine();
        Console.WriteLine("== convnet on synthetic showers (2000 train / 500 test), 12 trials of up to 5 epochs ==");
        var dir = Directory.CreateTempSubdirectory("bench-search-").FullName;
        try
        {
            Training.Data.SyntheticShowers.Write(dir, 2000, 500, seed: 1);
            var experiment = File.ReadAllText(SweepCluster.Testing.RepoPaths.Experiment("convnet.yml"));
            foreach (var (sampler, pruner) in new[] { ("random", "none"), ("tpe", "sha") })
            {
                var path = Path.Combine(dir, $"{sampler}.yml");
                File.WriteAllText(path, experiment.Replace("kind: group", $"kind: group\nsampler: {sampler}\npruner: {pruner}"));
                var watch = Stopwatch.StartNew();
                var start = new ProcessStartInfo(Path.Combine(SweepCluster.Testing.RepoPaths.Root, "bin", "sweepctl")) { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var arg in new[] { "run", path, "--trials", "12", "--epochs", "5", "--data", dir, "--out", Path.Combine(dir, "runs"), "--format", "json" })
                    start.ArgumentList.Add(arg);
                using var process = Process.Start(start)!;
                process.BeginErrorReadLine();
                using var result = JsonDocument.Parse(process.StandardOutput.ReadToEnd());
                process.WaitForExit();
                var trials = result.RootElement.GetProperty("trials").EnumerateArray().ToList();
                var epochs = trials.Sum(t => t.GetProperty("epoch").ValueKind == JsonValueKind.Number ? t.GetProperty("epoch").GetInt32() : 0);
                var summary = result.RootElement.GetProperty("summary");
                Console.WriteLine($"{sampler + " + " + pruner,-14} best test_f1 {summary.GetProperty("max").GetDouble():0.0000}, {epochs} epochs trained, "
                    + $"{summary.GetProperty("pruned").GetInt32()} of 12 pruned, {watch.Elapsed.TotalMinutes:F1} min");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
