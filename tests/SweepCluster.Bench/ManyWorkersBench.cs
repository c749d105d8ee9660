using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Trials;

namespace SweepCluster.Bench;

/// <summary>
/// A thousand workers: a coordinator node (SQLite journal) and a few processes of 250 worker actors each, one slot per worker,
/// running trials that sleep a few seconds. Slot utilisation (trial time over slot time while the sweep ran, against the
/// span a perfect scheduler needs) shows whether the coordinator keeps every slot busy; its CPU time per trial is read
/// from /proc.
/// </summary>
internal static class ManyWorkersBench
{
    private const int Processes = 4;
    private const int WorkersPerProcess = 250;
    private const int Workers = Processes * WorkersPerProcess;
    private const int Rounds = 6;
    private const double TrialSeconds = 4;

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine($"== {Workers:N0} workers: {Processes} processes of {WorkersPerProcess} worker actors (1 slot each), {Rounds * Workers:N0} trials of {TrialSeconds} s, SQLite journal ==");
        var root = Directory.CreateTempSubdirectory("bench-workers-").FullName;
        var nodes = new List<BenchNodes.Node>();
        var children = new List<Process>();
        try
        {
            var coordinator = BenchNodes.Start($"--roles coordinator --store {root}/c");
            nodes.Add(coordinator);
            for (var p = 0; p < Processes; p++)
            {
                var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var word in new[] { "worker-node", $"{WorkersPerProcess}", $"127.0.0.1:{coordinator.Port}", $"{root}/w{p}" }) start.ArgumentList.Add(word);
                var child = Process.Start(start)!;
                child.OutputDataReceived += (_, _) => { };
                child.ErrorDataReceived += (_, _) => { };
                child.BeginOutputReadLine();
                child.BeginErrorReadLine();
                children.Add(child);
            }
            var joined = Stopwatch.StartNew();
            BenchNodes.WaitUntil(() => BenchNodes.Json(coordinator.Address, "node", "show", new { }).GetProperty("workers").GetArrayLength() == Workers);
            Console.WriteLine($"{Workers} workers registered {joined.Elapsed.TotalSeconds:F0} s after their processes started");
            var idleBefore = CpuSeconds(coordinator.Process);
            Thread.Sleep(TimeSpan.FromSeconds(10));
            Console.WriteLine($"coordinator with no sweep, hearing {Workers} workers' heartbeats (one each 2 s): {(CpuSeconds(coordinator.Process) - idleBefore) / 10:P0} of a core");
            var cpuBefore = CpuSeconds(coordinator.Process);
            var yaml = Experiments.Sleep(Rounds * Workers, TrialSeconds, extra: "pruner: none");
            var id = BenchNodes.Json(coordinator.Address, "sweep", "submit", new { file = yaml }).GetProperty("id").GetString();
            BenchNodes.WaitUntil(() => BenchNodes.Json(coordinator.Address, "sweep", "status", new { id }).GetProperty("state").GetString() == "completed");
            var cpu = CpuSeconds(coordinator.Process) - cpuBefore;
            var trials = Directory.GetFiles(root, "trial.json", SearchOption.AllDirectories)
                .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement)
                .Select(t => (Start: t.GetProperty("started_at").GetDateTimeOffset(), End: t.GetProperty("ended_at").GetDateTimeOffset()))
                .ToList();
            var span = (trials.Max(t => t.End) - trials.Min(t => t.Start)).TotalSeconds;
            var busy = trials.Sum(t => (t.End - t.Start).TotalSeconds);
            Console.WriteLine($"{trials.Count:N0} trials in {span:F1} s (a perfect scheduler: {Rounds * TrialSeconds:F0} s), {trials.Count / span:F0} trials/s");
            Console.WriteLine($"slot utilisation {busy / (Workers * span):P1}; coordinator CPU {cpu:F1} s, {1000 * cpu / trials.Count:F2} ms per trial "
                + "(heartbeats of a thousand workers included)");
        }
        finally
        {
            foreach (var child in children)
            {
                child.Kill(entireProcessTree: true);
                child.WaitForExit();
            }
            BenchNodes.KillAll(nodes);
            Directory.Delete(root, recursive: true);
        }
    }

    private static double CpuSeconds(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>The child mode: one node of the worker role with <paramref name="args"/>[0] worker actors, until it is killed.</summary>
    public static int RunWorkers(string[] args)
    {
        var (count, seed, folder) = (int.Parse(args[0], CultureInfo.InvariantCulture), args[1], args[2]);
        var worker = new WorkerOptions([], 1, null, RunsDirectory: Path.Combine(folder, "runs"));
        var runner = new SleepingRunner();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSweepNode(new NodeOptions([ClusterNames.WorkerRole], "127.0.0.1", 0, [seed], worker, worker.RunsDirectory,
            new JournalOptions.InMemory(), NodeOptions.DefaultHeartbeatPause, NodeOptions.DefaultDownAfter, Akka.Event.LogLevel.WarningLevel), runner);
        using var host = builder.Build();
        host.Start();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var coordinator = ActorRegistry.For(system).Get<SweepCoordinator>();
        for (var i = 1; i < count; i++) system.ActorOf(Props.Create(() => new SweepWorker(coordinator, worker, runner)), $"{ClusterNames.WorkerActor}-{i}");
        system.WhenTerminated.Wait();
        return 0;
    }

    /// <summary>Sleeps the trial's <c>seconds</c> and reports its <c>value</c>: the bench's stand-in for training, with no files of its own.</summary>
    private sealed class SleepingRunner : ITrialRunner
    {
        public IReadOnlyList<int> DetectGpus() => [];

        public TrialOutcome Run(TrialJob job, Action<EpochReport> onEpoch, Action<EpochProgress?> onBatch, CancellationToken cancellation)
        {
            var seconds = job.Params["seconds"]!.AsNumber()!.Value;
            if (cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds))) cancellation.ThrowIfCancellationRequested();
            var value = job.Params["value"]!.AsNumber()!.Value;
            var epoch = new EpochReport(1, value, value, seconds, 0);
            onEpoch(epoch);
            return new TrialOutcome(ImmutableDictionary<string, double>.Empty.Add("value", value), [epoch], ImmutableDictionary<string, string>.Empty);
        }

        public TrialFailure Explain(Exception error, string device) => new(error.Message, Retryable: false);
    }
}
