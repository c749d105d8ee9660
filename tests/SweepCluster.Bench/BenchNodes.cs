using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SweepCluster.Bench;

/// <summary>sweepctl node processes for the benchmarks, and their command endpoint spoken to over HTTP.</summary>
internal static partial class BenchNodes
{
    public static string Executable => Path.Combine(SweepCluster.Testing.RepoPaths.Root, "src", "SweepCluster.Cli", "bin", "Release", "net10.0", "sweepctl");

    /// <summary>A node process started with <c>--port 0 --cmd-port 0</c>, and the ports it says it got.</summary>
    public sealed record Node(Process Process, int Port, int CmdPort, Func<int> Oversized)
    {
        public string Address => $"127.0.0.1:{CmdPort}";

        /// <summary>Messages the node could not send because they exceeded Akka's frame size, as its log says.</summary>
        public int OversizedMessages => Oversized();
    }

    /// <summary>Starts a node on ports the system picks and waits until it says which; its output is drained so that it never blocks on a full pipe.</summary>
    public static Node Start(string arguments)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var word in $"node start --port 0 --cmd-port 0 --gpus none {arguments}".Split(' ', StringSplitOptions.RemoveEmptyEntries)) start.ArgumentList.Add(word);
        var started = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && StartedLine().Match(line) is { Success: true } match) started.TrySetResult(match);
        };
        var oversized = 0;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("OversizedPayloadException", StringComparison.Ordinal) == true) Interlocked.Increment(ref oversized);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!started.Task.Wait(TimeSpan.FromMinutes(1))) throw new TimeoutException($"sweepctl {arguments} did not start within a minute");
        var ports = started.Task.Result.Groups;
        return new Node(process, int.Parse(ports[1].Value, CultureInfo.InvariantCulture), int.Parse(ports[2].Value, CultureInfo.InvariantCulture), () => Volatile.Read(ref oversized));
    }

    [GeneratedRegex(@"^node akka\.tcp://sweep@[^:]+:(\d+) \[[^\]]*\] started; commands on http://[^:/]+:(\d+);")]
    private static partial Regex StartedLine();

    public static void KillAll(IEnumerable<Node> nodes)
    {
        foreach (var p in nodes.Select(n => n.Process))
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
