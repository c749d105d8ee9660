using System.Diagnostics;
using System.Text.Json;

namespace SweepCluster.Bench;

/// <summary>
/// Scheduling overhead with zero-second builtin/sleep trials: trials per second through the coordinator, and the median
/// and 99th percentile of the time from a trial's end to the next start on the node that freed a slot; in one process
/// (<c>sweepctl run</c>), and on real node processes with one and with two worker processes of many slots each: the nodes'
/// first sweep and their next.
/// </summary>
internal static class SchedulerBench
{
    private const int Trials = 10_000;
    /// <summary>Trials the one-process run makes first and does not count: a node's first seconds are spent compiling its hot code (a third of its CPU, perf showed).</summary>
    private const int WarmUp = 3_000;
    private const int SlotsPerWorker = 16;

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine($"== scheduler: sweeps of {Trials:N0} zero-second builtin/sleep trials ({WarmUp:N0} more first to warm up the one-process run), {SlotsPerWorker} slots per worker ==");
        Console.WriteLine($"{"where",-80} {"trials/s",9} {"end->next start: median",24} {"p99",9} {"CPU per trial: coordinator",29} {"each worker",17}");
        Console.WriteLine(MeasureEmbedded());
        Console.WriteLine(MeasureEmbedded(pruned: true));
        foreach (var row in new[] { 1, 2 }.SelectMany(Measure)) Console.WriteLine(row);
        Console.WriteLine("for reference, Ray Tune gives about 500 results/s as its practical ceiling (its documentation), not measured here");
    }

    /// <summary>
    /// <c>sweepctl run</c>: coordinator and worker in one process, the journal in memory. With <paramref name="pruned"/>, trials
    /// of four steps under the default median pruner, which is asked after each of the first three.
    /// </summary>
    private static string MeasureEmbedded(bool pruned = false)
    {
        var root = Directory.CreateTempSubdirectory("bench-scheduler-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "zero.yml"), pruned ? Experiments.Sleep(WarmUp + Trials, steps: 4, extra: "pruner: median") : Experiments.Sleep(WarmUp + Trials, extra: "pruner: none"));
            using var run = Process.Start(new ProcessStartInfo(BenchNodes.Executable, $"run zero.yml --workers {2 * SlotsPerWorker} --out runs")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            run.StandardError.ReadToEndAsync();
            run.StandardOutput.ReadToEnd();
            run.WaitForExit();
            return Row($"embedded (sweepctl run --workers {2 * SlotsPerWorker}), journal in memory{(pruned ? ", 4 steps, median pruner" : "")}", TrialFiles(root), fromIndex: WarmUp);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// Two sweeps on the same new nodes: the first is what a fresh cluster does while it still compiles its hot code, the
    /// second what a cluster that has been running does.
    /// </summary>
    private static IEnumerable<string> Measure(int workers)
    {
        var root = Directory.CreateTempSubdirectory("bench-scheduler-").FullName;
        var processes = new List<BenchNodes.Node>();
        try
        {
            var coordinator = BenchNodes.Start($"--roles coordinator --store {root}/c");
            processes.Add(coordinator);
            for (var w = 0; w < workers; w++)
                processes.Add(BenchNodes.Start($"--roles worker --cpu-slots {SlotsPerWorker} --seed-nodes 127.0.0.1:{coordinator.Port} --store {root}/w{w}"));
            var address = coordinator.Address;
            BenchNodes.WaitUntil(() => BenchNodes.Json(address, "node", "show", new { }).GetProperty("workers").GetArrayLength() == workers);
            var where = $"{workers} worker process{(workers > 1 ? "es" : "")}, journal in SQLite";
            foreach (var sweep in new[] { "first sweep", "next sweep" })
            {
                var cpuBefore = processes.Select(CpuTime).ToList();
                var id = BenchNodes.Json(address, "sweep", "submit", new { file = Experiments.Sleep(Trials, extra: "pruner: none") }).GetProperty("id").GetString();
                BenchNodes.WaitUntil(() => BenchNodes.Json(address, "sweep", "status", new { id }).GetProperty("state").GetString() == "completed");
                var msPerTrial = processes.Select((p, i) => (CpuTime(p) - cpuBefore[i]).TotalMilliseconds / Trials).ToList();
                yield return Row($"{where}, {sweep}", Enumerable.Range(0, workers).SelectMany(w => Directory.GetDirectories($"{root}/w{w}/runs", $"*-{id}")).SelectMany(TrialFiles), fromIndex: 0)
                    + $" {msPerTrial[0],13:F2} ms {msPerTrial.Skip(1).Sum() / workers,14:F2} ms";
            }
        }
        finally
        {
            BenchNodes.KillAll(processes);
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>CPU the node process has used so far (its status polls included: a few per second).</summary>
    private static TimeSpan CpuTime(BenchNodes.Node node)
    {
        node.Process.Refresh();
        return node.Process.TotalProcessorTime;
    }

    private static string[] TrialFiles(string folder) => Directory.GetFiles(folder, "trial.json", SearchOption.AllDirectories);

    private static string Row(string where, IEnumerable<string> trialFiles, int fromIndex)
    {
        var pace = Pace(trialFiles, fromIndex);
        return pace.Count < Trials
            ? $"{where,-80} only {pace.Count} of {Trials} trials ran"
            : $"{where,-80} {pace.PerSecond,9:F0} {pace.MedianGapMs,21:F2} ms {pace.P99GapMs,6:F2} ms";
    }

    /// <summary>
    /// Trials per second over the span of the trials' own start and end times, and the median and 99th percentile of the gaps
    /// between a slot's end and the next start on that node.
    /// </summary>
    internal static (int Count, double PerSecond, double MedianGapMs, double P99GapMs) Pace(IEnumerable<string> trialFiles, int fromIndex = 0)
    {
        var trials = trialFiles
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement)
            .Where(t => t.GetProperty("index").GetInt32() >= fromIndex)
            .Select(t => (Node: t.GetProperty("node").GetString()!, Start: t.GetProperty("started_at").GetDateTimeOffset(), End: t.GetProperty("ended_at").GetDateTimeOffset()))
            .ToList();
        if (trials.Count < 2) return (trials.Count, 0, 0, 0);
        var span = (trials.Max(t => t.End) - trials.Min(t => t.Start)).TotalSeconds;
        var gaps = trials.GroupBy(t => t.Node).SelectMany(node =>
        {
            var ends = node.Select(t => t.End).Order().ToArray();
            return node.Select(t => t.Start).Select(start =>
            {
                var i = Array.BinarySearch(ends, start);
                var before = i >= 0 ? i : ~i - 1;
                return before >= 0 ? (start - ends[before]).TotalMilliseconds : (double?)null;
            }).Where(g => g is not null).Select(g => g!.Value);
        }).Order().ToArray();
        return (trials.Count, trials.Count / span, gaps[gaps.Length / 2], gaps[(int)(gaps.Length * 0.99)]);
    }

    /// <summary>The trial.json files of a sweep's run folder under <paramref name="runs"/>.</summary>
    internal static string[] TrialFilesOf(string runs, string sweepId) =>
        [.. Directory.GetDirectories(runs, $"*-{sweepId}").SelectMany(TrialFiles)];
}
