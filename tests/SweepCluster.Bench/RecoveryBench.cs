using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Bench;

/// <summary>
/// How fast a coordinator comes back: journal replay of a sweep of 10,000 finished trials from SQLite, with and
/// without a snapshot (in process), and, with real node processes, the time from the coordinator node's SIGKILL to the
/// first trial its successor on the second coordinator node schedules.
/// </summary>
internal static class RecoveryBench
{
    private const int FinishedTrials = 100_000;

    public static void Run()
    {
        Console.WriteLine();
        Console.WriteLine($"== recovery: journal replay of one sweep of {FinishedTrials:N0} finished trials (SQLite), median of 3 after a warm-up ==");
        var root = Directory.CreateTempSubdirectory("bench-recovery-").FullName;
        try
        {
            var runs = Path.Combine(root, "runs");
            var events = EndedSweep.Build(runs, FinishedTrials).Events;
            // Snapshots of a running sweep hold its trials not ended and point into its trials.jsonl for the others. The worst
            // case of before (snapshots waited for as many events as the sweep held trials) is kept for comparison: the snapshot
            // of a sweep three quarters done and the events of the last quarter's trials (4 per trial) after it.
            var tail = FinishedTrials;
            foreach (var (name, snapshot, after) in new (string, Func<CoordinatorSnapshot>?, int)[]
            {
                ($"all {events.Count:N0} events", null, 0),
                ($"the running sweep's snapshot 3/4 in, then the last {tail:N0} events",
                    () => Memento(EndedSweep.Build(runs, FinishedTrials, events.Count - tail, archived: true).Sweep), events.Count - tail),
                ("a snapshot of the whole sweep", () => Memento(EndedSweep.Build(runs, FinishedTrials, archived: true).Sweep), events.Count),
            })
            {
                var journal = Path.Combine(root, $"journal-{after}.db");
                Write(journal, events, snapshot?.Invoke(), after);
                var times = Enumerable.Range(0, 4).Select(_ => Replay(journal)).Skip(1).Order().ToList();
                Console.WriteLine($"{name,-62} {times[1],8:F0} ms   ({new FileInfo(journal).Length / 1e6:F1} MB journal)");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        Console.WriteLine();
        Console.WriteLine("== recovery: coordinator node killed (SIGKILL) -> first trial scheduled by the coordinator on the second node ==");
        foreach (var switches in new[] { "", "--heartbeat-pause 3 --down-after 2" })
            Console.WriteLine($"{(switches == "" ? "defaults (heartbeat pause 10 s, down after 20 s)" : switches),-50} {Failover(switches),6:F1} s");
        Console.WriteLine("most of it is failure detection and downing (both configurable); the journal replay of a small sweep takes milliseconds");
    }

    /// <summary>The snapshot of the sweep, its trials.jsonl closed for the coordinator under test to open.</summary>
    private static CoordinatorSnapshot Memento(ArchivedSweep sweep)
    {
        using (sweep) return new CoordinatorSnapshot([sweep.ToMemento()]);
    }

    private static IHost Host(string journal)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka(ClusterNames.SystemName, (akka, _) => akka
            .ConfigureLoggers(loggers => loggers.LogLevel = Akka.Event.LogLevel.WarningLevel)
            .WithSweepSerializer()
            .WithSweepJournal(new JournalOptions.Sqlite(journal)));
        var host = builder.Build();
        host.Start();
        return host;
    }

    /// <summary>Writes the events, and the snapshot after the first <paramref name="snapshotAfter"/> of them.</summary>
    private static void Write(string journal, List<ISweepEvent> events, CoordinatorSnapshot? snapshot, int snapshotAfter)
    {
        using var host = Host(journal);
        var written = new TaskCompletionSource();
        host.Services.GetRequiredService<ActorSystem>().ActorOf(Props.Create(() => new JournalWriter(events, snapshot, snapshotAfter, written)));
        written.Task.Wait(TimeSpan.FromMinutes(5));
        host.StopAsync().Wait();
    }

    /// <summary>Milliseconds from a coordinator's start to its first answer, which waits for the recovery.</summary>
    private static double Replay(string journal)
    {
        using var host = Host(journal);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var watch = Stopwatch.StartNew();
        var coordinator = system.ActorOf(Props.Create(() => new SweepCoordinator(CoordinatorOptions.Default(Path.GetTempPath()))));
        var sweeps = coordinator.Ask<SweepsListed>(new ListSweeps(), TimeSpan.FromMinutes(5)).Result.Sweeps;
        var elapsed = watch.Elapsed.TotalMilliseconds;
        if (sweeps.Single().Header.Summary.Completed != FinishedTrials) throw new InvalidOperationException("the replayed sweep lost trials");
        host.StopAsync().Wait();
        return elapsed;
    }

    /// <summary>Writes the events as the coordinator would have, in batches, with the snapshot (if any) filed under the event it follows.</summary>
    private sealed class JournalWriter : ReceivePersistentActor
    {
        public JournalWriter(List<ISweepEvent> events, CoordinatorSnapshot? snapshot, int snapshotAfter, TaskCompletionSource written)
        {
            Command<SaveSnapshotSuccess>(_ => { });
            Recover<RecoveryCompleted>(_ =>
            {
                foreach (var batch in events.Take(snapshotAfter).Chunk(1000)) PersistAll(batch, _ => { });
                if (snapshot is not null) DeferAsync(snapshot, SaveSnapshot);
                foreach (var batch in events.Skip(snapshotAfter).Chunk(1000)) PersistAll(batch, _ => { });
                DeferAsync(events, _ => written.SetResult());
            });
        }

        public override string PersistenceId => ClusterNames.CoordinatorPersistenceId;
    }

    /// <summary>Seconds from the SIGKILL of the node hosting the coordinator to the first trial started by its successor.</summary>
    private static double Failover(string switches)
    {
        var root = Directory.CreateTempSubdirectory("bench-failover-").FullName;
        var processes = new List<BenchNodes.Node>();
        try
        {
            var first = BenchNodes.Start($"--roles coordinator --store {root}/coordinators {switches}");
            processes.Add(first);
            var second = BenchNodes.Start($"--roles coordinator --seed-nodes 127.0.0.1:{first.Port} --store {root}/coordinators {switches}");
            processes.Add(second);
            processes.Add(BenchNodes.Start($"--roles worker --cpu-slots 4 --seed-nodes 127.0.0.1:{first.Port} --store {root}/worker {switches}"));
            var address = first.Address;
            BenchNodes.WaitUntil(() => BenchNodes.Json(address, "node", "show", new { }).GetProperty("workers").GetArrayLength() == 1);
            // Every member up first: keep-majority does not count a node still joining, and a tie would down the survivors.
            BenchNodes.WaitUntil(() => BenchNodes.Json(address, "cluster", "show", new { }).TryGetProperty("members", out var members)
                && members.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == 3);
            var yaml = "name: failover\nnum_trials: 2000\nsampler: random\nparams:\n  seconds: 0.25\nparam_space:\n  value: uniform(0, 1)\nmetric:\n  name: value\n  direction: maximize\nrun: builtin/sleep\n";
            var id = BenchNodes.Json(address, "sweep", "submit", new { file = yaml }).GetProperty("id").GetString();
            BenchNodes.WaitUntil(() => BenchNodes.Json(address, "sweep", "status", new { id }).TryGetProperty("done", out var done) && done.GetInt32() >= 20);
            var killed = DateTimeOffset.UtcNow;
            first.Process.Kill();
            var successor = second.Address;
            DateTimeOffset? firstStart = null;
            BenchNodes.WaitUntil(() =>
            {
                var trials = BenchNodes.Json(successor, "sweep", "trials", new { id });
                if (!trials.TryGetProperty("trials", out var list)) return false;
                firstStart = list.EnumerateArray().Where(t => t.TryGetProperty("started_at", out _)).Select(t => t.GetProperty("started_at").GetDateTimeOffset())
                    .Where(s => s > killed).Cast<DateTimeOffset?>().Min();
                return firstStart is not null;
            });
            return (firstStart!.Value - killed).TotalSeconds;
        }
        finally
        {
            BenchNodes.KillAll(processes);
            Directory.Delete(root, recursive: true);
        }
    }
}
