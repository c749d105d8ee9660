using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SweepCluster.Bench;

/// <summary>
/// What running the user's program costs beside a built-in trial, in one <c>sweepctl run</c> process of 16 slots: from the
/// attempt's start on the worker to the program's first instruction, from the program's exit to the next program's start on
/// the worker, how busy the slots are kept with one-second trials, and the worker's CPU per trial (its own process: the
/// programs' CPU is theirs). The program is <c>sh</c> reading the clock with <c>date</c> before and after its sleep, so what
/// is measured around it is SweepCluster's.
/// </summary>
internal static class CommandBench
{
    private const int Slots = 16;

    private const string Program = """sh -c 'start=$(date +%s%N); sleep {{seconds}}; echo "{\"value\": 1, \"start_ns\": $start, \"end_ns\": $(date +%s%N)}"'""";

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine($"== command trials beside built-in ones: sweepctl run --workers {Slots} ==");
        // The process's own start and end (JIT, the embedded cluster) measured once, with one trial, and taken off each row's CPU.
        var startup = Measure("start-up", 1, 0, false, 0).CpuMs;
        Console.WriteLine($"{"trials",-52} {"slots busy",10} {"start->program: median",23} {"p99",9} {"exit->next program: median",27} {"p99",9} {"worker CPU/trial",17}");
        foreach (var (what, trials, seconds, command) in new[] { ("builtin/sleep, 1 s", 64, 1.0, false), ("your program (sh + sleep 1), 1 s", 64, 1.0, true),
                     ("builtin/sleep, 0 s", 400, 0.0, false), ("your program (sh + sleep 0), 0 s", 400, 0.0, true) })
            Console.WriteLine(Measure(what, trials, seconds, command, startup).Line);
        Console.WriteLine($"(worker CPU/trial: the process's CPU less its start-up, {startup:F0} ms with one trial, per trial)");
        Console.WriteLine("goal (issue 28): under 20 ms of overhead at the median beyond the program's own run time, and 16 slots of one-second scripts kept busy");
    }

    private static (string Line, double CpuMs) Measure(string what, int trials, double seconds, bool command, double startupMs)
    {
        var root = Directory.CreateTempSubdirectory("bench-command-").FullName;
        try
        {
            var run = command ? $"run:\n  - \"{Program.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"" : "run: builtin/sleep";
            File.WriteAllText(Path.Combine(root, "exp.yml"), $"name: bench\nnum_trials: {trials}\nsampler: random\npruner: none\n"
                + $"params:\n  seconds: {seconds.ToString(CultureInfo.InvariantCulture)}\nparam_space:\n  value: uniform(0, 1)\n"
                + $"metric:\n  name: value\n  direction: maximize\n{run}\n");
            using var process = Process.Start(new ProcessStartInfo(BenchNodes.Executable, $"run exp.yml --workers {Slots} --out runs")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            // Its CPU as last seen before it exited (an exited process's is gone): what it spent shutting down is not per trial anyway.
            var used = TimeSpan.Zero;
            while (!process.WaitForExit(50))
            {
                try
                {
                    process.Refresh();
                    used = process.TotalProcessorTime;
                }
                catch (InvalidOperationException)
                {
                    break; // it exited between the wait and the read
                }
            }
            process.WaitForExit();
            _ = stdout.Result;
            var cpu = (used.TotalMilliseconds - startupMs) / trials;
            var files = Directory.GetFiles(root, "trial.json", SearchOption.AllDirectories).Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement).ToList();
            if (files.Count < trials) return ($"{what,-52} only {files.Count} of {trials} trials ran: {stderr.Result.Split('\n').LastOrDefault(l => l.Length > 0)}", cpu);
            // Each trial's own run: the program's clock for command trials, the attempt's for built-in ones.
            var runs = files.Select(t => command
                ? (Attempt: t.GetProperty("started_at").GetDateTimeOffset(), Start: FromNs(Metric(t, "start_ns")), End: FromNs(Metric(t, "end_ns")))
                : (Attempt: t.GetProperty("started_at").GetDateTimeOffset(), Start: t.GetProperty("started_at").GetDateTimeOffset(), End: t.GetProperty("ended_at").GetDateTimeOffset()))
                .ToList();
            var span = (runs.Max(r => r.End) - runs.Min(r => r.Start)).TotalSeconds;
            var busy = runs.Sum(r => (r.End - r.Start).TotalSeconds) / (Slots * span);
            var toProgram = runs.Select(r => (r.Start - r.Attempt).TotalMilliseconds).Order().ToArray();
            var ends = runs.Select(r => r.End).Order().ToArray();
            var gaps = runs.Select(r => Array.BinarySearch(ends, r.Start) is var i && (i >= 0 ? i : ~i - 1) is var before and >= 0 ? (r.Start - ends[before]).TotalMilliseconds : double.NaN)
                .Where(double.IsFinite).Order().ToArray();
            return ($"{what,-52} {busy,9:P0} {Median(toProgram),20:F2} ms {P99(toProgram),6:F2} ms {Median(gaps),24:F2} ms {P99(gaps),6:F2} ms {cpu,14:F2} ms", used.TotalMilliseconds);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static double Metric(JsonElement trial, string name) => trial.GetProperty("metrics").GetProperty(name).GetDouble();

    private static DateTimeOffset FromNs(double ns) => DateTimeOffset.UnixEpoch.AddTicks((long)(ns / 100));

    private static double Median(double[] sorted) => sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];

    private static double P99(double[] sorted) => sorted.Length == 0 ? double.NaN : sorted[(int)(sorted.Length * 0.99)];
}
