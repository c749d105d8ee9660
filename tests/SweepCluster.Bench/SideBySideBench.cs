using System.Diagnostics;
using System.Globalization;

namespace SweepCluster.Bench;

/// <summary>
/// Sweeps side by side on one node with both roles, 8 slots and the SQLite journal: zero-second trials journalled from submit
/// to end on a new cluster's first sweep and on a warm one, beside Optuna (Debian's python3-optuna) sharing one study between two
/// processes through its journal file storage; then a sweep of zero-second trials beside a GP sweep past 200 results, and 2 and
/// 4 such sweeps at once: trials per second and the gap from a slot's end to its next start.
/// </summary>
internal static class SideBySideBench
{
    private const int Trials = 4_000;
    private const int Slots = 8;

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine($"== sweeps side by side: zero-second builtin/sleep trials on one node with both roles, {Slots} slots, journal in SQLite ==");
        Console.WriteLine($"{"what",-72} {"trials/s",9} {"end->next start: median",24} {"p99",9}");
        var root = Directory.CreateTempSubdirectory("bench-sweeps-").FullName;
        var node = BenchNodes.Start($"--roles coordinator,worker --cpu-slots {Slots} --store {root}/store");
        try
        {
            var runs = Path.Combine(root, "store", "runs");
            var submitToEnd = Stopwatch.StartNew();
            var first = SubmitAndWait(node, Zero(Trials, seed: 1));
            Console.WriteLine(Row($"first sweep of a new cluster, {Trials:N0} trials", SchedulerBench.Pace(SchedulerBench.TrialFilesOf(runs, first)), Trials / submitToEnd.Elapsed.TotalSeconds));
            submitToEnd.Restart();
            var warm = SubmitAndWait(node, Zero(Trials, seed: 2));
            Console.WriteLine(Row($"next sweep, {Trials:N0} trials", SchedulerBench.Pace(SchedulerBench.TrialFilesOf(runs, warm)), Trials / submitToEnd.Elapsed.TotalSeconds));
            Console.WriteLine(Optuna());

            var history = SubmitAndWait(node, Experiments.Branin("random", 220));
            var gp = BenchNodes.Json(node.Address, "sweep", "submit", new { file = Experiments.Branin("gp", 1000, $"warm_start: {history}") }).GetProperty("id").GetString()!;
            BenchNodes.WaitUntil(() => Done(node, gp) >= 1);
            var gpBefore = Done(node, gp);
            var beside = SubmitAndWait(node, Zero(Trials, seed: 3));
            var gpTrials = Done(node, gp) - gpBefore;
            BenchNodes.Json(node.Address, "sweep", "cancel", new { id = gp });
            Console.WriteLine(Row($"beside a GP sweep fitting 220 results (it ran {gpTrials} trials meanwhile)", SchedulerBench.Pace(SchedulerBench.TrialFilesOf(runs, beside))));

            foreach (var count in new[] { 2, 4 })
            {
                var ids = Enumerable.Range(0, count).Select(k => BenchNodes.Json(node.Address, "sweep", "submit", new { file = Zero(Trials / count, seed: 10 * count + k) }).GetProperty("id").GetString()!).ToList();
                foreach (var id in ids) BenchNodes.WaitUntil(() => State(node, id) == "completed");
                var each = ids.Select(id => SchedulerBench.Pace(SchedulerBench.TrialFilesOf(runs, id)).PerSecond).ToList();
                Console.WriteLine(Row($"{count} sweeps of {Trials / count:N0} at once (each: {string.Join(", ", each.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))}/s)",
                    SchedulerBench.Pace(ids.SelectMany(id => SchedulerBench.TrialFilesOf(runs, id)))));
            }
        }
        finally
        {
            BenchNodes.KillAll([node]);
            Directory.Delete(root, recursive: true);
        }
        Console.WriteLine("goals: journalled throughput five times Optuna's; end->next start p99 under 5 ms beside the GP sweep");
    }

    private static string Row(string what, (int Count, double PerSecond, double MedianGapMs, double P99GapMs) pace, double? submitToEnd = null) =>
        $"{what,-72} {pace.PerSecond,9:F0} {pace.MedianGapMs,21:F2} ms {pace.P99GapMs,6:F2} ms" + (submitToEnd is { } rate ? $"  (submit to end: {rate:F0} trials/s)" : "");

    /// <summary>
    /// Optuna's journal file storage, one study, two processes of half the trials each, a random sampler: over the span of its
    /// trials' own start and end times, and from starting the processes to their end.
    /// </summary>
    private static string Optuna()
    {
        var journal = Path.Combine(Path.GetTempPath(), $"bench-optuna-{Guid.NewGuid():N}.log");
        var worker = $"""
            import optuna
            from optuna.storages import JournalStorage, JournalFileStorage
            optuna.logging.set_verbosity(optuna.logging.WARNING)
            study = optuna.load_study(study_name='zero', storage=JournalStorage(JournalFileStorage('{journal}')), sampler=optuna.samplers.RandomSampler())
            study.optimize(lambda t: t.suggest_float('value', 0, 1), n_trials={Trials / 2})
            """;
        var driver = $$"""
            import subprocess, sys, time, optuna
            from optuna.storages import JournalStorage, JournalFileStorage
            optuna.logging.set_verbosity(optuna.logging.WARNING)
            storage = JournalStorage(JournalFileStorage('{{journal}}'))
            optuna.create_study(study_name='zero', storage=storage, direction='maximize')
            start = time.perf_counter()
            workers = [subprocess.Popen([sys.executable, '-c', sys.argv[1]]) for _ in range(2)]
            for w in workers: w.wait()
            whole = time.perf_counter() - start
            trials = [t for t in optuna.load_study(study_name='zero', storage=storage).trials if t.state == optuna.trial.TrialState.COMPLETE]
            span = (max(t.datetime_complete for t in trials) - min(t.datetime_start for t in trials)).total_seconds()
            print(f"{'Optuna ' + optuna.__version__ + ', journal file storage, 2 processes':<72} {len(trials) / span:9.0f}{'':36}  (start to end: {len(trials) / whole:.0f} trials/s)")
            """;
        try
        {
            return TrainingBench.Child(["-c", driver, worker], "/usr/bin/python3");
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"{"Optuna",-72} not measured: {e.Message.Split('\n')[^1]} (make bench installs python3-optuna)";
        }
        finally
        {
            File.Delete(journal);
        }
    }

    private static string Zero(int trials, int seed) => Experiments.Sleep(trials, seed: seed, extra: "pruner: none");

    private static string SubmitAndWait(BenchNodes.Node node, string experiment)
    {
        var id = BenchNodes.Json(node.Address, "sweep", "submit", new { file = experiment }).GetProperty("id").GetString()!;
        BenchNodes.WaitUntil(() => State(node, id) == "completed");
        return id;
    }

    private static string? State(BenchNodes.Node node, string id) => BenchNodes.Json(node.Address, "sweep", "status", new { id }).GetProperty("state").GetString();

    private static int Done(BenchNodes.Node node, string id) => BenchNodes.Json(node.Address, "sweep", "status", new { id }).TryGetProperty("done", out var done) ? done.GetInt32() : 0;
}
