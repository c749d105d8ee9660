using System.Text.Json;
using static SweepCluster.Cli.Tests.ClusterChecks;
using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// Real node processes killed with SIGKILL at a random point of a sweep (the seed picks the point and the victim):
/// a worker, the coordinator's node with a second coordinator node present, and the whole cluster. After each, every
/// trial of the sweep has ended exactly once, the best is the one the failure-free plan holds, and nothing still runs.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
[Category(Peers.Category)]
public class FailureProcessTests
{
    private NodeProcesses _nodes = null!;

    [SetUp]
    public void CreateNodes() => _nodes = new NodeProcesses();

    [TearDown]
    public void KillNodes()
    {
        _nodes.ReportIfFailed();
        _nodes.Dispose();
    }

    private string Experiment(int trials, double seconds, int seed) => SleepExperiment(_nodes.Root, trials, seconds, seed, steps: 4, maxFailures: 5);

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void A_worker_killed_mid_trial_loses_no_trial_and_counts_none_twice(int seed)
    {
        var random = new Random(seed);
        var coordinator = _nodes.Start("coordinator", extra: FastFailureDetection);
        var workers = new[]
        {
            _nodes.Start("worker", coordinator.ClusterAddress, $"--cpu-slots 2 {FastFailureDetection}"),
            _nodes.Start("worker", coordinator.ClusterAddress, $"--cpu-slots 2 {FastFailureDetection}"),
        };
        WaitForWorkers(coordinator, 2, members: 3);
        var file = Experiment(10, 2, seed);
        var id = Submit(coordinator.Address, file);

        var victim = workers[random.Next(2)];
        WaitForKillPoint(coordinator, id, random.Next(0, 5), () => Runs(coordinator, victim));
        NodeProcesses.Kill(victim);

        WaitForCompletion(coordinator, id);
        var trials = AssertEveryTrialEndedOnce(coordinator, id, file, 10);
        var retried = trials.Where(t => t.GetProperty("attempt").GetInt32() > 1).ToList();
        Assert.That(retried, Is.Not.Empty, "the victim's trials ran again");
        Assert.That(retried.SelectMany(t => t.GetProperty("failed_attempts").EnumerateArray()).Select(f => f.GetString()),
            Has.All.Contain($"worker lost: {victim.ClusterAddress} left the cluster"));
        Assert.That(CliRunner.Run(coordinator.Address, "sweep", "status", "-i", id).Stdout,
            Does.Contain($"trial {retried[0].GetProperty("index").GetInt32()} retried (attempt 1: worker lost: {victim.ClusterAddress} left the cluster)"));
        AssertNothingRuns(coordinator);
    }

    [TestCase(4)]
    [TestCase(5)]
    public void The_coordinator_node_killed_hands_its_sweeps_to_the_other_coordinator_node_and_running_trials_go_on(int seed)
    {
        var random = new Random(seed);
        var store = Path.Combine(_nodes.Root, "coordinators"); // one journal for both coordinator nodes
        var first = _nodes.Start("coordinator", extra: FastFailureDetection, store: store);
        var second = _nodes.Start("coordinator", first.ClusterAddress, FastFailureDetection, store: store);
        _nodes.Start("worker", first.ClusterAddress, $"--cpu-slots 2 {FastFailureDetection}");
        _nodes.Start("worker", first.ClusterAddress, $"--cpu-slots 2 {FastFailureDetection}");
        WaitForWorkers(first, 2, members: 4);
        var file = Experiment(12, 2, seed);
        var id = Submit(first.Address, file);

        // Trials that have reported an epoch certainly run on a worker: they must finish there, not start over.
        List<int> Underway() => [.. Trials(first, id).Where(t => t.GetProperty("status").GetString() == "running" && t.TryGetProperty("epoch", out var e) && e.ValueKind == JsonValueKind.Number)
            .Select(t => t.GetProperty("index").GetInt32())];
        WaitForKillPoint(first, id, random.Next(0, 6), () => Underway().Count > 0);
        var underway = Underway();
        // An operator watching from the surviving node rides through the handover (about 11 s, longer than one request's 10 s).
        var watch = Task.Run(() => CliRunner.Run(second.Address, "sweep", "watch", "-i", id));
        NodeProcesses.Kill(first);
        // So does a submission sent during it, and it starts one sweep however often the client had to repeat it.
        var late = CliRunner.Run(second.Address, "sweep", "submit", "-f", Experiment(2, 0.2, seed));
        Assert.That(late.ExitCode, Is.Zero, late.Stderr);

        WaitForCompletion(second, id);
        Assert.That(watch.Wait(TimeSpan.FromMinutes(2)), "sweep watch ends with the sweep");
        Assert.That(watch.Result.ExitCode, Is.Zero, watch.Result.Stderr);
        Assert.That(watch.Result.Stdout, Does.Contain("12/12 done"));
        Assert.That(Json(second.Address, "sweep", "list").GetProperty("sweeps").EnumerateArray().Select(s => s.GetProperty("id").GetString()),
            Is.EquivalentTo(new[] { id, late.Stdout.Trim() }));
        var trials = AssertEveryTrialEndedOnce(second, id, file, 12);
        Assert.That(trials.Where(t => underway.Contains(t.GetProperty("index").GetInt32())).Select(t => t.GetProperty("attempt").GetInt32()),
            Is.All.EqualTo(1), "the attempts running when the coordinator died went on");
        AssertNothingRuns(second);
    }

    /// <summary>
    /// Four nodes, two of them coordinator nodes sharing a journal; a worker is killed, and the coordinator's node 12 s later,
    /// before the first loss was settled: two of four reachable, an even split. Keep-majority would keep the side with the
    /// lowest address (here always the dead one, so the cluster would down itself); the side that takes the journal's lease
    /// goes on instead, and the sweep ends with every trial once.
    /// </summary>
    [Test]
    public void A_worker_then_the_coordinators_node_killed_12_s_apart_leave_an_even_split_that_the_side_reaching_the_journal_survives()
    {
        const string detection = "--heartbeat-pause 5 --down-after 10";
        var store = Path.Combine(_nodes.Root, "coordinators");
        var first = _nodes.Start("coordinator", extra: detection, store: store);
        var workers = new[]
        {
            _nodes.Start("worker", first.ClusterAddress, $"--cpu-slots 2 {detection}"),
            _nodes.Start("worker", first.ClusterAddress, $"--cpu-slots 2 {detection}"),
        }.OrderBy(w => w.Port).ToArray();
        // The dead side must hold the lowest address for keep-majority to pick it: the second coordinator node takes a port above
        // one of them (restarting one that had joined would leave an unreachable member behind and spoil the split).
        var second = _nodes.Start("coordinator", first.ClusterAddress, detection, store: store, ports: (PortAbove(Math.Min(first.Port, workers[0].Port)), 0));
        WaitForWorkers(first, 2, members: 4);
        var file = Experiment(24, 3, seed: 9);
        var id = Submit(first.Address, file);

        WaitForKillPoint(first, id, 2, () => Runs(first, workers[0]));
        NodeProcesses.Kill(workers[0]);
        Thread.Sleep(TimeSpan.FromSeconds(12));
        NodeProcesses.Kill(first);

        WaitForCompletion(second, id);
        AssertEveryTrialEndedOnce(second, id, file, 24);
        Assert.That(CliRunner.Run(second.Address, "cluster", "show").Stdout.Trim().Split('\n')[^1], Is.EqualTo("Count: 2 nodes"));
        Assert.That(_nodes.Log(second.Process) + _nodes.Log(workers[1].Process), Does.Contain("SBR acquired lease"), "the survivors decided through the lease");
        AssertNothingRuns(second);
    }

    /// <summary>A port the system has free, above <paramref name="floor"/>.</summary>
    private static int PortAbove(int floor)
    {
        while (true)
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            if (((System.Net.IPEndPoint)socket.LocalEndPoint!).Port is var port && port > floor) return port;
        }
    }

    [TestCase(6)]
    [TestCase(7)]
    public void The_whole_cluster_killed_and_started_again_from_its_stores_resumes_the_sweep(int seed)
    {
        var random = new Random(seed);
        var (coordinatorStore, workerStore) = (Path.Combine(_nodes.Root, "coordinator"), Path.Combine(_nodes.Root, "worker"));
        var coordinator = _nodes.Start("coordinator", extra: FastFailureDetection, store: coordinatorStore);
        var worker = _nodes.Start("worker", coordinator.ClusterAddress, $"--cpu-slots 2 {FastFailureDetection}", store: workerStore);
        WaitForWorkers(coordinator, 1, members: 2);
        var file = Experiment(8, 2, seed);
        var id = Submit(coordinator.Address, file);

        WaitForKillPoint(coordinator, id, random.Next(0, 5), () => Runs(coordinator, worker));
        foreach (var node in random.Next(2) == 0 ? new[] { coordinator, worker } : [worker, coordinator]) NodeProcesses.Kill(node);

        var restarted = _nodes.Start("coordinator", extra: FastFailureDetection, store: coordinatorStore, ports: (coordinator.Port, coordinator.CmdPort));
        _nodes.Start("worker", restarted.ClusterAddress, $"--cpu-slots 2 {FastFailureDetection}", store: workerStore, ports: (worker.Port, worker.CmdPort));
        WaitForCompletion(restarted, id);
        AssertEveryTrialEndedOnce(restarted, id, file, 8);
        AssertNothingRuns(restarted);
    }

    [Test]
    public void A_network_trial_whose_worker_is_killed_resumes_from_its_last_checkpoint_on_another_worker()
    {
        var data = Path.Combine(_nodes.Root, "data");
        Assert.That(CliRunner.Run("data", "generate", "--out", data, "--train", "96", "--test", "32").ExitCode, Is.Zero);
        var shared = $"--cpu-slots 1 --data {data} --checkpoints {Path.Combine(_nodes.Root, "checkpoints")} {FastFailureDetection}";
        var coordinator = _nodes.Start("coordinator", extra: FastFailureDetection);
        var workers = new[] { _nodes.Start("worker", coordinator.ClusterAddress, shared), _nodes.Start("worker", coordinator.ClusterAddress, shared) };
        WaitForWorkers(coordinator, 2, members: 3);
        var file = Path.Combine(_nodes.Root, "convnet.yml");
        File.WriteAllText(file, """
            name: resumable
            num_trials: 1
            sampler: random
            pruner: none
            params:
              epochs: 60
              bs: 16
              lr: 0.002
              optimizer: adam
              out_channels: [3, 5]
              normalize: yes
            metric:
              name: test_f1
              direction: maximize
            run: convnet
            """);
        var id = Submit(coordinator.Address, file);
        JsonElement? running = null;
        NodeProcesses.WaitUntil(() => (running = Trials(coordinator, id).Where(t => t.TryGetProperty("epoch", out var e) && e.ValueKind == JsonValueKind.Number && e.GetInt32() >= 3)
                .Cast<JsonElement?>().SingleOrDefault()) is not null,
            TimeSpan.FromSeconds(60), "the trial to finish three epochs");
        var victim = workers.Single(w => w.ClusterAddress == running!.Value.GetProperty("node").GetString());
        NodeProcesses.Kill(victim);

        WaitForCompletion(coordinator, id);
        var trial = Trials(coordinator, id).Single();
        Assert.That((trial.GetProperty("status").GetString(), trial.GetProperty("attempt").GetInt32()), Is.EqualTo(("completed", 2)));
        Assert.That(trial.GetProperty("node").GetString(), Is.Not.EqualTo(victim.ClusterAddress));
        // The trial's record is on the worker that finished it, in the folder the trial names.
        var lastAttempt = JsonDocument.Parse(File.ReadAllText(Path.Combine(trial.GetProperty("artifacts").GetString()!, "trial.json"))).RootElement;
        var resumedEpochs = lastAttempt.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("epoch").GetInt32()).ToList();
        Assert.That(resumedEpochs[0], Is.GreaterThanOrEqualTo(4), "attempt 2 went on after the epochs attempt 1 had checkpointed");
        Assert.That(resumedEpochs[^1], Is.EqualTo(60));
    }

    [Test]
    public void A_sweep_journalled_in_PostgreSQL_resumes_on_a_node_with_a_new_store()
    {
        using var postgres = new PostgresServer();
        var journal = $"--journal {postgres.ConnectionString} --cpu-slots 2 {FastFailureDetection}";
        var first = _nodes.Start("coordinator,worker", extra: journal);
        var file = Experiment(8, 1, seed: 8);
        var id = Submit(first.Address, file);
        NodeProcesses.WaitUntil(() => TryJson(first.Address, "sweep", "status", "-i", id)?.GetProperty("done").GetInt32() >= 2, TimeSpan.FromSeconds(60), "two trials to end");
        NodeProcesses.Kill(first);

        var second = _nodes.Start("coordinator,worker", extra: journal); // another port, so another store folder: the sweep is only in PostgreSQL
        WaitForCompletion(second, id);
        AssertEveryTrialEndedOnce(second, id, file, 8);
        AssertNothingRuns(second);
    }
}
