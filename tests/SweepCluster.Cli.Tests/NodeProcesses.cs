using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// Real <c>sweepctl node start</c> processes, each in its own store folder: on 127.0.0.1 with free ports, or on a test host of
/// its own (a network namespace) at the host's address. Every process started is killed on disposal (and at the latest
/// when the test process exits).
/// </summary>
internal sealed partial class NodeProcesses : IDisposable
{
    private readonly List<Process> _processes = [];
    private readonly Dictionary<Process, StringBuilder> _logs = [];
    private int _started;

    public NodeProcesses() => AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();

    public string Root { get; } = Directory.CreateTempSubdirectory("sweep-nodes-").FullName;

    /// <param name="Store">The node's store folder: its journal, its runs, its checkpoints.</param>
    public sealed record Node(Process Process, string Host, int Port, int CmdPort, string Store)
    {
        public string Address => $"{Host}:{CmdPort}";

        public string ClusterAddress => $"akka.tcp://sweep@{Host}:{Port}";
    }


    /// <summary>Starts a node and waits until its command endpoint answers.</summary>
    /// <param name="store">The node's store folder: by default one of its own; coordinators that take over from each other share one.</param>
    /// <param name="ports">Cluster and command ports, to start a node again where it was; by default port 0, and the node says which it got.</param>
    /// <param name="gpus">What a worker offers: none by default, so that no test depends on the machine's GPUs.</param>
    /// <param name="on">A test host to start the node on, at its address (and the command endpoint too, which then needs a token).</param>
    public Node Start(string roles, string? seed = null, string extra = "", IReadOnlyDictionary<string, string>? environment = null, bool waitForEndpoint = true,
        string? store = null, (int Port, int CmdPort)? ports = null, string gpus = "none", TestHosts.Host? on = null)
    {
        var (port, cmdPort) = ports ?? (0, 0);
        var host = on?.Address ?? "127.0.0.1";
        store ??= Path.Combine(Root, $"node-{Interlocked.Increment(ref _started)}");
        var placement = on is null ? "" : $"--host {host} --cmd-host {host} ";
        var args = $"node start --roles {roles} {placement}--port {port} --cmd-port {cmdPort} --gpus {gpus} --store {store} {extra}";
        if (seed is not null) args += $" --seed-nodes {seed}";
        var process = Launch(args, environment, on);
        Match started = Match.Empty;
        WaitUntil(() => (started = StartedLine().Match(Log(process))).Success || process.HasExited, TimeSpan.FromSeconds(60), "the node to start");
        if (!started.Success) Assert.Fail($"the node exited with {process.ExitCode} before it started:\n{Log(process)}");
        var node = new Node(process, host, int.Parse(started.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(started.Groups[2].Value, CultureInfo.InvariantCulture), store);
        if (waitForEndpoint) WaitUntil(() => CliRunner.Run(node.Address, "cluster", "leader").ExitCode == 0, TimeSpan.FromSeconds(60), $"node {node.ClusterAddress} to serve commands");
        return node;
    }

    /// <summary>What a node prints once it serves: the ports it got.</summary>
    [GeneratedRegex(@"^node akka(?:\.ssl)?\.tcp://sweep@[^:]+:(\d+) \[[^\]]*\] started; commands on http://[^:/]+:(\d+);", RegexOptions.Multiline)]
    private static partial Regex StartedLine();

    public Process Launch(string arguments, IReadOnlyDictionary<string, string>? environment = null, TestHosts.Host? on = null)
    {
        var start = new ProcessStartInfo(on is null ? "dotnet" : "ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (on is not null) foreach (var word in (string[])["netns", "exec", on.Namespace, "dotnet"]) start.ArgumentList.Add(word);
        start.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, "sweepctl.dll"));
        foreach (var word in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)) start.ArgumentList.Add(word);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_processes) _processes.Add(process);
        _logs[process] = log;
        return process;
    }

    /// <summary>SIGKILL: the process gets no chance to leave the cluster or finish a write.</summary>
    public static void Kill(Node node)
    {
        node.Process.Kill();
        node.Process.WaitForExit(10_000);
    }

    /// <summary>What every node printed, to explain a failed test.</summary>
    public string AllLogs()
    {
        lock (_processes) return string.Join("\n", _processes.Select(p => $"--- node process {p.Id}:\n{Log(p)}"));
    }

    /// <summary>At a failed test's end: what the nodes printed, to explain it.</summary>
    public void ReportIfFailed()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed) TestContext.Out.WriteLine(AllLogs());
    }

    public string Log(Process process)
    {
        var log = _logs[process];
        lock (log) return log.ToString();
    }

    public static void WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout) Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for {what}");
            Thread.Sleep(250);
        }
    }

    public void Dispose()
    {
        lock (_processes)
        {
            foreach (var process in _processes)
            {
                try
                {
                    if (!process.HasExited) process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
                catch (InvalidOperationException)
                {
                    // never started or already reaped
                }
            }
            _processes.Clear();
        }
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
