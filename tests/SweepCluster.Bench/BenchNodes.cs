using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace SweepCluster.Bench;

/// <summary>sweepctl node processes for the benchmarks, and their command endpoint spoken to over HTTP.</summary>
internal static class BenchNodes
{
    private static string Executable => Path.Combine(SweepCluster.Testing.RepoPaths.Root, "src", "SweepCluster.Cli", "bin", "Release", "net10.0", "sweepctl");

    /// <summary>A node process; its output is drained so that it never blocks on a full pipe.</summary>
    public static Process Start(string arguments)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var word in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)) start.ArgumentList.Add(word);
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static void KillAll(IEnumerable<Process> processes)
    {
        foreach (var p in processes)
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
    }

    /// <summary>One palette command over HTTP (a sweepctl process per poll would take a core of this 2-core machine).</summary>
    public static JsonElement Json(string address, string palette, string command, object switches)
    {
        try
        {
            using var response = Http.PostAsJsonAsync($"http://{address}/api/{palette}/{command}", new { switches }).Result;
            var body = JsonDocument.Parse(response.Content.ReadAsStringAsync().Result).RootElement;
            return body.TryGetProperty("data", out var data) ? data.Clone() : Empty;
        }
        catch (AggregateException e) when (e.InnerException is HttpRequestException)
        {
            return Empty; // the node is still starting
        }
    }

    private static readonly HttpClient Http = new();
    private static readonly JsonElement Empty = JsonDocument.Parse("{\"workers\":[],\"state\":\"unknown\"}").RootElement;

    public static void WaitUntil(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("the benchmark's cluster did not get there in 5 minutes");
            Thread.Sleep(200);
        }
    }
}
