using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;
using SweepCluster.Training.Trials;

namespace SweepCluster.Bench;

/// <summary>
/// Search quality: the best value found after 25, 50 and 100 trials by random search, TPE and the GP sampler (median of 30
/// seeds) on analytic objectives, beside Optuna's samplers on the same objectives; TPE's suggestion time as finished trials grow; and on the synthetic showers the
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

    private const int Seeds = 30;

    /// <summary>TPE modelling at most 40 finished trials: at 100 trials, the ratio its 1,000 makes at 2,500, to show what modelling a sample costs.</summary>
    private const string CappedTpe = "tpe, 40 kept";
    private static readonly int[] Budgets = [25, 50, 100];

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine($"== search quality: best value after N trials, median of {Seeds} seeds (minimizing), beside Debian's Optuna ==");
        Console.WriteLine($"{"objective",-30} {"sampler",-14} {"25",10} {"50",10} {"100",10}");
        foreach (var objective in Objectives)
        {
            foreach (var sampler in new[] { "random", "tpe", CappedTpe, "gp" })
            {
                var runs = Enumerable.Range(1, Seeds).Select(seed => BestAfter(objective, sampler, seed, Budgets)).ToList();
                Console.WriteLine(Row(objective.Name, sampler, [.. Enumerable.Range(0, Budgets.Length).Select(i => Median(runs.Select(r => r[i])))]));
            }
            Console.WriteLine(OptunaRows(objective));
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Row(string objective, string sampler, double[] medians) =>
        $"{objective,-30} {sampler,-14} " + string.Join(" ", medians.Select(m => m.ToString("0.0000", CultureInfo.InvariantCulture).PadLeft(10)));

    /// <summary>
    /// Optuna (Debian's python3-optuna) on the same objectives, budgets and number of seeds: its TPE with default settings,
    /// and its GP sampler where the installed version has one (Optuna 3.1 has not; it came in 3.6).
    /// </summary>
    private static string OptunaRows(Objective objective)
    {
        var (name, space) = objective.Name.StartsWith("branin", StringComparison.Ordinal)
            ? ("branin", "x1=t.suggest_float('x1', -5, 10); x2=t.suggest_float('x2', 0, 15); b=5.1/(4*math.pi**2); c=5/math.pi; s=1/(8*math.pi); return (x2-b*x1*x1+c*x1-6)**2+10*(1-s)*math.cos(x1)+10")
            : objective.Name.StartsWith("hartmann6", StringComparison.Ordinal)
                ? ("hartmann6", "x=[t.suggest_float(f'x{i}', 0, 1) for i in range(1, 7)]; return -sum(al*math.exp(-sum(A[i][j]*(x[j]-P[i][j])**2 for j in range(6))) for i, al in enumerate([1.0, 1.2, 3.0, 3.2]))")
                : ("mixed", "lr=t.suggest_float('lr', 1e-5, 0.1, log=True); bs=t.suggest_int('bs', 16, 512); opt=t.suggest_categorical('opt', ['sgd', 'adam', 'rmsprop']); return (math.log10(lr)+2.7)**2+((bs-120)/100)**2+(0 if opt=='adam' else 0.6)");
        var script = $$"""
            import math, statistics, sys, optuna
            optuna.logging.set_verbosity(optuna.logging.WARNING)
            A=[[10,3,17,3.5,1.7,8],[0.05,10,17,0.1,8,14],[3,3.5,1.7,10,17,8],[17,8,0.05,10,0.1,14]]
            P=[[0.1312,0.1696,0.5569,0.0124,0.8283,0.5886],[0.2329,0.4135,0.8307,0.3736,0.1004,0.9991],[0.2348,0.1451,0.3522,0.2883,0.3047,0.6650],[0.4047,0.8828,0.8732,0.5743,0.1091,0.0381]]
            def objective(t):
                {{space}}
            samplers = {'tpe': lambda seed: optuna.samplers.TPESampler(seed=seed)}
            if hasattr(optuna.samplers, 'GPSampler'): samplers['gp'] = lambda seed: optuna.samplers.GPSampler(seed=seed)
            for kind, make in samplers.items():
                bests = {n: [] for n in ({{string.Join(", ", Budgets)}})}
                for seed in range(1, {{Seeds + 1}}):
                    study = optuna.create_study(direction='minimize', sampler=make(seed))
                    study.optimize(objective, n_trials={{Budgets[^1]}})
                    values = [t.value for t in study.trials]
                    for n in bests: bests[n].append(min(values[:n]))
                print(kind + ' ' + ' '.join(str(statistics.median(bests[n])) for n in sorted(bests)))
            if 'gp' not in samplers: print('gp none ' + optuna.__version__)
            """;
        try
        {
            var lines = TrainingBench.Child(["-c", script], "/usr/bin/python3").Split('\n');
            return string.Join("\n", lines.Select(line => line.Split(' ') switch
            {
                ["gp", "none", var version] => $"{objective.Name,-30} {"optuna gp",-14} (Optuna {version} has no GP sampler)",
                [var kind, .. var medians] => Row(objective.Name, $"optuna {kind}", [.. medians.Select(m => double.Parse(m, CultureInfo.InvariantCulture))]),
                _ => line,
            }));
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"{objective.Name,-30} {"optuna",-14} not measured: {e.Message.Split('\n')[^1]} (make bench installs python3-optuna)";
        }
    }

    private static double[] BestAfter(Objective objective, string sampler, long seed, int[] checkpoints)
    {
        var spec = ExperimentSpecParser.Parse($"name: bench\nnum_trials: {checkpoints[^1]}\nsampler: {(sampler == CappedTpe ? "tpe" : sampler)}\nseed: {seed}\nparam_space:\n{objective.Space}\nmetric:\n  name: value\n  direction: minimize\nrun: builtin/branin\n", "bench.yml").Spec!;
        var s = sampler == CappedTpe
            ? new TpeSampler(spec.ParamSpace, GridLayout.For(spec.ParamSpace, spec.Sampler), seed, MetricDirection.Minimize, maxModelled: 40)
            : TrialPlanner.CreateSampler(spec, seed);
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

    /// <summary>How long one suggestion takes as the finished trials grow.</summary>
    public static void Latency()
    {
        foreach (var (sampler, sizes, asks) in new[] { ("tpe", new[] { 1000, 10_000, 100_000 }, 20), ("gp", new[] { 25, 100, 300, 10_000 }, 6) })
        {
            Console.WriteLine();
            Console.WriteLine($"== {sampler.ToUpperInvariant()} suggestion time (hartmann6, 6 dimensions), median of {asks} asks ==");
            var objective = Objectives[1];
            var spec = ExperimentSpecParser.Parse($"name: bench\nnum_trials: 1\nsampler: {sampler}\nparam_space:\n{objective.Space}\nmetric:\n  name: value\n  direction: minimize\nrun: builtin/hartmann6\n", "bench.yml").Spec!;
            var random = new IndexedSampler(spec.ParamSpace, GridLayout.For(spec.ParamSpace, spec.Sampler), 1);
            foreach (var (n, warmUp) in sizes.Select((n, i) => (n, i == 0)))
            {
                var finished = Enumerable.Range(0, n).Select(i => random.Suggest(SuggestRequest.Ahead(i))).Select((p, i) => new FinishedTrial(i, p, objective.Value(p))).ToList();
                var s = TrialPlanner.CreateSampler(spec, 1);
                // Untimed asks first, so that the JIT has optimised the sampler's code before the first size is timed.
                for (var k = 0; warmUp && k < 60; k++) s.Suggest(new SuggestRequest(n + k, finished, []));
                var times = Enumerable.Range(0, asks + 1).Select(k =>
                {
                    var watch = Stopwatch.StartNew();
                    s.Suggest(new SuggestRequest(n + k, finished, []));
                    return watch.Elapsed.TotalMilliseconds;
                }).Skip(1).ToList();
                Console.WriteLine($"{n,7} finished trials: {Median(times),8:F2} ms per suggestion");
            }
        }
    }

    /// <summary>The study's convnet sweep on a small synthetic set, through sweepctl run as a user would run it.</summary>
    public static void Convnet()
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
