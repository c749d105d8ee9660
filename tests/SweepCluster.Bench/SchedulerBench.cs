using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SweepCluster.Bench;

/// <summary>
/// Scheduling overhead with zero-second builtin/sleep trials on real node processes: trials per second through
/// the coordinator, and the median time from a trial's end to the next start on the worker that freed a slot,
/// with one and with two worker processes of many slots each.
/// </summary>
internal static class SchedulerBench
{
    private const int Trials = 2000;
    private const int SlotsPerWorker = 16;

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine($"== scheduler: {Trials} zero-second builtin/sleep trials, {SlotsPerWorker} slots per worker process ==");
        Console.WriteLine($"{"workers",-8} {"trials/s",10} {"end->next start (median)",26} {"p90",10}");
        foreach (var workers in new[] { 1, 2 }) Console.WriteLine(Measure(workers));
        Console.WriteLine("for reference, Ray Tune gives about 500 results/s as its practical ceiling (its documentation), not measured here");
    }

    private static string Measure(int workers)
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
            var file = Path.Combine(root, "zero.yml");
            File.WriteAllText(file, $"name: zero\nnum_trials: {Trials}\nsampler: random\nparams:\n  seconds: 0\nparam_space:\n  value: uniform(0, 1)\nmetric:\n  name: value\n  direction: maximize\nrun: builtin/sleep\n");
            var id = BenchNodes.Json(address, "sweep", "submit", new { file = File.ReadAllText(file) }).GetProperty("id").GetString();
            BenchNodes.WaitUntil(() => BenchNodes.Json(address, "sweep", "status", new { id }).GetProperty("state").GetString() == "completed");
            var trials = Directory.GetFiles(root, "trial.json", SearchOption.AllDirectories)
                .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement)
                .Select(t => (Node: t.GetProperty("node").GetString()!, Start: t.GetProperty("started_at").GetDateTimeOffset(), End: t.GetProperty("ended_at").GetDateTimeOffset()))
                .ToList();
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
            return $"{workers,-8} {trials.Count / span,10:F0} {gaps[gaps.Length / 2],23:F2} ms {gaps[(int)(gaps.Length * 0.9)],7:F2} ms";
        }
        finally
        {
            BenchNodes.KillAll(processes);
            Directory.Delete(root, recursive: true);
        }
    }
}
