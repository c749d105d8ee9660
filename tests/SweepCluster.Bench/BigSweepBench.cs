using System.Diagnostics;
using System.Globalization;

namespace SweepCluster.Bench;

/// <summary>
/// A 100,000-trial sweep of zero-second trials on real node processes (a coordinator with the SQLite journal, two
/// workers of 16 slots): how long <c>sweep status</c>, <c>sweep list</c> and a page of <c>sweep trials</c> take from
/// a worker's endpoint (the query crosses nodes) while the sweep runs and after it ended, whether any message went over
/// Akka's frame size, and the coordinator process's resident memory. <see cref="HeldPerTrial"/> (<c>memory</c>): in process,
/// what the coordinator holds per finished trial of a running sweep and of an ended one, and per trial in flight (live
/// managed heap after a full collection).
/// </summary>
internal static class BigSweepBench
{
    private const int Trials = 100_000;
    private const int SlotsPerWorker = 16;

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine($"== big sweep: {Trials:N0} zero-second trials, a coordinator and 2 workers of {SlotsPerWorker} slots, queries sent to a worker ==");
        var root = Directory.CreateTempSubdirectory("bench-bigsweep-").FullName;
        var processes = new List<BenchNodes.Node>();
        try
        {
            var coordinator = BenchNodes.Start($"--roles coordinator --store {root}/c");
            processes.Add(coordinator);
            for (var w = 0; w < 2; w++)
                processes.Add(BenchNodes.Start($"--roles worker --cpu-slots {SlotsPerWorker} --seed-nodes 127.0.0.1:{coordinator.Port} --store {root}/w{w}"));
            var worker = processes[1].Address;
            BenchNodes.WaitUntil(() => BenchNodes.Json(coordinator.Address, "node", "show", new { }).GetProperty("workers").GetArrayLength() == 2);
            var idle = ResidentBytes(coordinator);
            var yaml = Experiments.Sleep(Trials, extra: "pruner: none");
            var watch = Stopwatch.StartNew();
            var id = BenchNodes.Json(coordinator.Address, "sweep", "submit", new { file = yaml }).GetProperty("id").GetString()!;

            Console.WriteLine($"{"when",-22} {"done",8} {"status",9} {"list",9} {"trials -k 10",13} {"coordinator RSS",16}");
            var halfway = false;
            long halfwayRss = 0;
            int halfwayDone = 0;
            while (true)
            {
                var done = BenchNodes.Json(worker, "sweep", "status", new { id }).GetProperty("done").GetInt32();
                if (!halfway && done >= Trials / 2)
                {
                    (halfway, halfwayDone, halfwayRss) = (true, done, ResidentBytes(coordinator));
                    Console.WriteLine(Row("running, half done", id, worker, coordinator));
                }
                if (done == Trials) break;
                Thread.Sleep(1000);
            }
            var seconds = watch.Elapsed.TotalSeconds;
            var runningRss = ResidentBytes(coordinator);
            Thread.Sleep(TimeSpan.FromSeconds(5)); // the summary is written and the sweep shrinks to its header
            Console.WriteLine(Row("ended, first query", id, worker, coordinator)); // its trials are read from sweep.json
            Console.WriteLine(Row("ended, again", id, worker, coordinator));
            var perTrial = (runningRss - halfwayRss) / (double)(Trials - halfwayDone);
            Console.WriteLine($"{Trials:N0} trials in {seconds:F0} s ({Trials / seconds:F0} trials/s); sweep.json {new FileInfo(Directory.GetFiles($"{root}/c/runs", "sweep.json", SearchOption.AllDirectories).Single()).Length / 1e6:F1} MB");
            Console.WriteLine($"coordinator process RSS: {idle / 1e6:F0} MB idle, {runningRss / 1e6:F0} MB at the end, +{perTrial:F0} bytes per trial over the second half "
                + "(garbage included: the runtime keeps the memory it grew to)");
            Results(id, worker, Directory.GetDirectories($"{root}/c/runs").Single(), root);
            var oversized = processes.Sum(p => p.OversizedMessages);
            Console.WriteLine($"messages over the frame size (OversizedPayloadException in any node's log): {oversized}");
        }
        finally
        {
            BenchNodes.KillAll(processes);
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// Seeing the ended sweep's results: the dashboard's columns (<c>sweep points</c>), its sweep page in chromium (opened until
    /// its plots and table are drawn, and a change of table page), <c>sweep report</c> from a worker's endpoint and
    /// <c>sweepctl report</c> of the run folder. optuna-dashboard, the peer, states that it does not support studies of over 10,000 trials.
    /// </summary>
    private static void Results(string id, string worker, string runFolder, string root)
    {
        var watch = Stopwatch.StartNew();
        var columns = BenchNodes.Json(worker, "sweep", "points", new { id }).GetProperty("index").GetArrayLength();
        Console.WriteLine($"sweep points (the dashboard's plotted columns, {columns:N0} trials): {watch.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine(File.Exists("/usr/bin/chromium") && Directory.Exists(Path.Combine(SweepCluster.Testing.RepoPaths.Root, "tests", "browser", "node_modules"))
            ? $"dashboard sweep page in chromium: {Measure("node", Path.Combine(SweepCluster.Testing.RepoPaths.Root, "tests", "browser"), "measure.mjs", $"http://{worker}", id)} (goal: interactive under 2 s)"
            : "dashboard sweep page: not measured (make test-deps installs chromium and playwright-core)");
        watch.Restart();
        Measure(BenchNodes.Executable, root, worker, "sweep", "report", "-i", id, "--out", Path.Combine(root, "cluster-report"));
        Console.WriteLine($"sweep report -i ID from a worker's endpoint: {watch.Elapsed.TotalSeconds:F1} s");
        watch.Restart();
        Measure(BenchNodes.Executable, root, "report", runFolder, "--out", Path.Combine(root, "report"));
        Console.WriteLine($"sweepctl report RUN_DIR (offline): {watch.Elapsed.TotalSeconds:F1} s (goal: under 30 s; optuna-dashboard: studies of over 10,000 trials not supported)");
    }

    /// <summary>Runs a process to the end and returns what it printed.</summary>
    private static string Measure(string executable, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{executable} {string.Join(' ', arguments)} failed: {error.Result}");
        return output.Result.Trim();
    }

    /// <summary>Live bytes the coordinator's state takes for the sweep: whole while it runs, as a <see cref="Core.Sweeps.FinishedSweep"/> once ended.</summary>
    public static void HeldPerTrial()
    {
        Console.WriteLine();
        Console.WriteLine($"== coordinator memory: a sweep of {Trials:N0} finished trials, and trials in flight ==");
        var runs = Directory.CreateTempSubdirectory("bench-memory-").FullName;
        try
        {
            using (var warmUp = EndedSweep.Build(runs, 10, archived: true).Sweep) Core.Sweeps.FinishedSweep.Of(warmUp.State); // what is made once (parsers, caches) is not counted
            foreach (var archived in new[] { false, true })
            {
                var before = GC.GetTotalMemory(forceFullCollection: true);
                var (whole, ended) = BuildAndShrink(runs, before, archived);
                var shrunk = GC.GetTotalMemory(forceFullCollection: true) - before;
                GC.KeepAlive(ended);
                Console.WriteLine($"{Trials:N0} finished trials, {(archived ? "ended ones in trials.jsonl (as a coordinator keeps them)" : "every trial in memory (as before trials.jsonl)"),-56}: "
                    + $"{whole / 1e6,5:F1} MB while the sweep runs ({whole / (double)Trials,5:F0} bytes per trial); {shrunk / 1e3:F1} kB once it has ended and shrunk");
            }
        }
        finally
        {
            Directory.Delete(runs, recursive: true);
        }
        const int inFlight = 10_000;
        var running = GC.GetTotalMemory(forceFullCollection: true);
        var held = InFlight(inFlight);
        Console.WriteLine($"per trial in flight (its record in the sweep, its attempt's liveness entry, its slot's holding; {inFlight:N0} running): "
            + $"{(GC.GetTotalMemory(forceFullCollection: true) - running) / (double)inFlight:F0} bytes");
        GC.KeepAlive(held);
    }

    /// <summary>What the coordinator holds for <paramref name="count"/> trials started and not ended, on one worker with a slot each.</summary>
    private static object InFlight(int count)
    {
        var yaml = Experiments.Sleep(count, extra: "pruner: none");
        var now = DateTimeOffset.UtcNow;
        var submitted = new Core.Sweeps.SweepSubmitted("flight01", "flight", yaml, "flight.yml", count, 1, null, false, Path.GetTempPath(), now);
        var sweep = new Core.Sweeps.SweepState(submitted, Core.Spec.ExperimentSpecParser.Parse(yaml, "flight.yml").Spec!);
        var tracker = new Core.Sweeps.AttemptTracker();
        var pool = new Core.Scheduling.WorkerPool();
        const string worker = "akka.tcp://sweep@127.0.0.1:4054/user/sweep-worker#1";
        pool.Offer(worker, "akka.tcp://sweep@127.0.0.1:4054", [], count);
        while (sweep.HasTrialToStart)
        {
            var (index, planned) = sweep.NextToStart();
            sweep.Apply(planned!);
            var id = new Core.Sweeps.AttemptId(sweep.Id, index, 1);
            sweep.Apply(new Core.Sweeps.TrialStarted(sweep.Id, index, 1, worker, "akka.tcp://sweep@127.0.0.1:4054", "cpu", [], now));
            tracker.Started(id, worker, now);
            pool.Hold(id.ToString(), new Core.Scheduling.Placement(worker, "cpu", [], 0, 1));
        }
        return (sweep, tracker, pool);
    }

    /// <summary>A method of its own, so that the whole sweep is unreachable once it returns, whatever the JIT's tier.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (long Whole, Core.Sweeps.FinishedSweep Ended) BuildAndShrink(string runs, long before, bool archived)
    {
        using var sweep = SweepOnly(runs, archived);
        var whole = GC.GetTotalMemory(forceFullCollection: true) - before;
        return (whole, Core.Sweeps.FinishedSweep.Of(sweep.State));
    }

    /// <summary>The sweep without its events, which a caller's frame could otherwise keep reachable.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static Core.Sweeps.ArchivedSweep SweepOnly(string runs, bool archived) => EndedSweep.Build(runs, Trials, archived: archived).Sweep;

    /// <summary>How long each query takes through the worker's endpoint, and the coordinator's resident memory now.</summary>
    private static string Row(string when, string id, string address, BenchNodes.Node coordinator)
    {
        static string Time(Action query)
        {
            var watch = Stopwatch.StartNew();
            query();
            return $"{watch.Elapsed.TotalMilliseconds:F0} ms";
        }
        var done = BenchNodes.Json(address, "sweep", "status", new { id }).GetProperty("done").GetInt32();
        var status = Time(() => BenchNodes.Json(address, "sweep", "status", new { id }).GetProperty("done").GetInt32());
        var list = Time(() => BenchNodes.Json(address, "sweep", "list", new { }).GetProperty("sweeps").GetArrayLength());
        var trials = Time(() => BenchNodes.Json(address, "sweep", "trials", new { id, top = "10" }).GetProperty("trials").GetArrayLength());
        return $"{when,-22} {done,8} {status,9} {list,9} {trials,13} {ResidentBytes(coordinator) / 1e6,13:F0} MB";
    }

    private static long ResidentBytes(BenchNodes.Node node)
    {
        var line = File.ReadLines($"/proc/{node.Process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
