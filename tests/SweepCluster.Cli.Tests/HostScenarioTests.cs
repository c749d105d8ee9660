using System.Text.Json;
using SweepCluster.Node.Endpoint;
using static SweepCluster.Cli.Tests.ClusterChecks;
using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// Nodes on separate test hosts (network namespaces, each with its own address and its own store folder), as on separate
/// machines: the cluster and command traffic crosses a bridge, and the tests cut links and partition the network. After
/// each scenario every trial of the sweep has ended exactly once and the best is the failure-free plan's.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
[Category(TestKinds.Host)]
[Category(Peers.Category)]
public class HostScenarioTests
{
    /// <summary>Every host has the whole port range to itself, so each node listens where the README says and restarts where it was.</summary>
    private static readonly (int Port, int CmdPort) Ports = (4053, 9110);
    private string? _tokenBefore;
    private NodeProcesses _nodes = null!;
    private TestHosts? _hosts;

    [OneTimeSetUp]
    public void UseAToken()
    {
        // A command endpoint on an address other machines reach needs a token; the nodes and this client read it from the environment.
        _tokenBefore = Environment.GetEnvironmentVariable(EndpointOptions.TokenVariable);
        Environment.SetEnvironmentVariable(EndpointOptions.TokenVariable, "test-hosts-token");
    }

    [OneTimeTearDown]
    public void RestoreToken() => Environment.SetEnvironmentVariable(EndpointOptions.TokenVariable, _tokenBefore);

    [SetUp]
    public void CreateNodes() => _nodes = new NodeProcesses();

    [TearDown]
    public void RemoveNodesAndHosts()
    {
        _nodes.ReportIfFailed();
        _nodes.Dispose();
        _hosts?.Dispose();
    }

    private NodeProcesses.Node Coordinator(TestHosts.Host host, string? seed = null, string extra = "") =>
        _nodes.Start("coordinator", seed, $"{FastFailureDetection} {extra}", on: host, ports: Ports);

    private NodeProcesses.Node Worker(TestHosts.Host host, NodeProcesses.Node seed, string extra = "", string? store = null) =>
        _nodes.Start("worker", seed.ClusterAddress, $"--cpu-slots 1 {FastFailureDetection} {extra}", on: host, ports: Ports, store: store);

    private static bool Exits(NodeProcesses.Node node) => node.Process.WaitForExit(TimeSpan.FromSeconds(60));

    private static string Node(JsonElement trial) => trial.GetProperty("node").GetString()!;

    [Test]
    public void One_coordinator_and_three_workers_on_four_hosts_run_a_sweep_to_the_end_one_of_them_behind_a_slow_lossy_link()
    {
        _hosts = new TestHosts(4);
        var coordinator = Coordinator(_hosts[1]);
        var workers = new[] { Worker(_hosts[2], coordinator), Worker(_hosts[3], coordinator), Worker(_hosts[4], coordinator) };
        var slow = _hosts.Delay(_hosts[4], TimeSpan.FromMilliseconds(150), loss: 0.03, seed: 4);
        WaitForWorkers(coordinator, 3, members: 4);
        static double Milliseconds(NodeProcesses.Node node)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Assert.That(CliRunner.Run(node.Address, "cluster", "leader").ExitCode, Is.Zero);
            return watch.Elapsed.TotalMilliseconds;
        }
        Assert.That(Milliseconds(workers[2]), Is.GreaterThan(300), "a new connection to the slow host waits for two of its packets");
        var file = SleepExperiment(_nodes.Root, 12, 1.5, seed: 11, steps: 3);
        var id = Submit(coordinator.Address, file);

        WaitForCompletion(coordinator, id);
        var trials = AssertEveryTrialEndedOnce(coordinator, id, file, 12);
        Assert.That(trials.Select(t => t.GetProperty("attempt").GetInt32()), Is.All.EqualTo(1), "no worker was lost, the slow one included");
        Assert.That(slow.Counts.Dropped, Is.GreaterThan(0), $"the link lost packets ({slow.Counts.Dropped} of {slow.Counts.Packets}) and TCP sent them again");
        Assert.That(trials.Select(Node).Distinct(), Is.EquivalentTo(workers.Select(w => w.ClusterAddress)), "every host ran trials");
        foreach (var trial in trials)
        {
            // Each trial's record is in the store of the host that ran it, where the trial says.
            var store = workers.Single(w => w.ClusterAddress == Node(trial)).Store;
            var artifacts = trial.GetProperty("artifacts").GetString()!;
            Assert.That(artifacts, Does.StartWith(Path.Combine(store, "runs") + "/"));
            Assert.That(File.Exists(Path.Combine(artifacts, "trial.json")), artifacts);
        }

        // The coordinator's host has no trial folders: its endpoint fetches them from the worker that ran the trial.
        var best = Json(coordinator.Address, "sweep", "best", "-i", id);
        var index = best.GetProperty("index").GetInt32();
        var fetched = Path.Combine(_nodes.Root, "fetched");
        var result = CliRunner.Run(coordinator.Address, "sweep", "best", "-i", id, "--out", fetched);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var held = best.GetProperty("artifacts").GetString()!;
        Assert.That(File.ReadAllBytes(Path.Combine(fetched, "trial.json")), Is.EqualTo(File.ReadAllBytes(Path.Combine(held, "trial.json"))));
        var holder = trials.Single(t => t.GetProperty("index").GetInt32() == index);
        Assert.That(result.Stderr, Does.Contain($"fetched 1 files ("));
        Assert.That(result.Stderr, Does.Contain($"of trial {index} from {Node(holder)} into {fetched}"));
        var listed = Json(coordinator.Address, "sweep", "artifacts", "-i", id, "-t", $"{index}");
        Assert.That(listed.GetProperty("directory").GetString(), Is.EqualTo(held));
        var missing = CliRunner.Run(coordinator.Address, "sweep", "artifacts", "-i", id, "-t", "12", "--out", fetched);
        Assert.That((missing.ExitCode, missing.Stderr.Trim()), Is.EqualTo((1, $"sweep {id} has no trial 12 yet (its trials are 0 to 11)")));
        AssertNothingRuns(coordinator);
    }

    [Test]
    public void The_users_code_reaches_workers_on_hosts_with_disks_of_their_own()
    {
        _hosts = new TestHosts(3);
        var coordinator = Coordinator(_hosts[1]);
        var workers = new[] { Worker(_hosts[2], coordinator), Worker(_hosts[3], coordinator) };
        WaitForWorkers(coordinator, 2, members: 3);
        var code = Directory.CreateTempSubdirectory("host-code-").FullName;
        Directory.CreateDirectory(Path.Combine(code, "lib"));
        File.WriteAllText(Path.Combine(code, "lib", "objective.py"), "def score(x):\n    return 1 - (x - 0.25) ** 2\n");
        File.WriteAllText(Path.Combine(code, "train.py"),
            "import json, os, sys, time\nsys.path.insert(0, 'lib')\nfrom objective import score\np = json.load(open(sys.argv[1]))\n"
            + "time.sleep(0.5)\nprint(os.getcwd(), file=sys.stderr)\nprint(json.dumps({'score': score(p['x'])}))\n");
        File.WriteAllText(Path.Combine(code, "exp.yml"), "name: hosts\nnum_trials: 6\nsampler: random\npruner: none\nparam_space:\n  x: uniform(0, 1)\n"
            + "metric: {name: score, direction: maximize}\nrun: [train.py]\n");
        var id = Submit(coordinator.Address, Path.Combine(code, "exp.yml"));
        Directory.Delete(code, recursive: true); // the hosts share no folder with the submitter

        WaitForCompletion(coordinator, id);
        var trials = Trials(coordinator, id);
        Assert.That(trials.Select(t => t.GetProperty("status").GetString()), Has.All.EqualTo("completed"));
        Assert.That(trials.Select(Node).Distinct(), Is.EquivalentTo(workers.Select(w => w.ClusterAddress)), "both hosts ran the code");
        foreach (var worker in workers)
            Assert.That(Directory.GetDirectories(Path.Combine(worker.Store, "code")), Has.Length.EqualTo(1), $"{worker.ClusterAddress} unpacked the package once");
        var first = trials[0];
        var ranIn = Json(coordinator.Address, "sweep", "logs", "-i", id, "-t", first.GetProperty("index").GetInt32().ToString()).GetProperty("stderr")[0].GetString();
        Assert.That(ranIn, Does.StartWith(Path.Combine(workers.Single(w => w.ClusterAddress == Node(first)).Store, "code") + "/"));
    }

    [Test]
    public void A_worker_host_cut_off_mid_trial_is_downed_stops_its_attempt_and_joins_again_by_itself_while_the_trial_resumes_from_its_checkpoint()
    {
        _hosts = new TestHosts(3);
        var checkpoints = $"--checkpoints {Path.Combine(_nodes.Root, "shared-checkpoints")}"; // a path every host mounts
        var coordinator = Coordinator(_hosts[1]);
        Worker(_hosts[2], coordinator, checkpoints);
        var victim = Worker(_hosts[3], coordinator, checkpoints);
        WaitForWorkers(coordinator, 2, members: 3);
        // Trials of 24 s: one cut off after two steps outlives by far the 9 s it takes to find the worker gone.
        var file = SleepExperiment(_nodes.Root, 5, 24, seed: 12, steps: 8);
        var id = Submit(coordinator.Address, file);

        JsonElement? underway = null;
        NodeProcesses.WaitUntil(() => (underway = Trials(coordinator, id).Cast<JsonElement?>().FirstOrDefault(t => t!.Value.GetProperty("status").GetString() == "running"
                && Node(t.Value) == victim.ClusterAddress && t.Value.TryGetProperty("epoch", out var e) && e.ValueKind == JsonValueKind.Number && e.GetInt32() >= 2)) is not null,
            TimeSpan.FromSeconds(60), "a trial on the victim to finish two steps");
        var index = underway!.Value.GetProperty("index").GetInt32();
        _hosts.CutOff(_hosts[3]);

        // Alone on its side, the cut-off worker downs itself: its attempt stops instead of sleeping on, and the node starts joining again.
        var downed = $"node {victim.ClusterAddress} was downed by the cluster (it was unreachable, or on the side of a split that stopped); "
            + $"it joins again through {coordinator.ClusterAddress} as a new incarnation";
        NodeProcesses.WaitUntil(() => _nodes.Log(victim.Process).Contains(downed), TimeSpan.FromSeconds(60), "the cut-off worker to be downed");
        Assert.That(_nodes.Log(victim.Process), Does.Contain($"this worker is stopping: 1 running trial attempts stop with it ({id}/{index}#1)"));
        _hosts.Reconnect(_hosts[3]);
        WaitForCompletion(coordinator, id);

        var trials = AssertEveryTrialEndedOnce(coordinator, id, file, 5);
        var retried = trials.Single(t => t.GetProperty("index").GetInt32() == index);
        Assert.That(retried.GetProperty("attempt").GetInt32(), Is.EqualTo(2));
        Assert.That(retried.GetProperty("failed_attempts").EnumerateArray().Select(f => f.GetString()),
            Is.EqualTo(new[] { $"attempt 1: worker lost: {victim.ClusterAddress} left the cluster" }));
        var attempt2 = JsonDocument.Parse(File.ReadAllText(Path.Combine(retried.GetProperty("artifacts").GetString()!, "trial.json"))).RootElement;
        Assert.That(attempt2.GetProperty("epochs")[0].GetProperty("epoch").GetInt32(), Is.GreaterThanOrEqualTo(3), "attempt 2 went on from the steps attempt 1 had checkpointed");
        var afterRejoin = _nodes.Log(victim.Process).Split(downed)[1];
        Assert.That(afterRejoin, Does.Match($@"trial {id}/\d+ attempt \d starts"), "the same process joined again on its old address and got work");
        Assert.That(victim.Process.HasExited, Is.False);
        AssertNothingRuns(coordinator);
    }

    [Test]
    public void A_partition_that_leaves_the_coordinator_on_the_minority_side_hands_the_sweep_to_the_majority_and_the_minority_stops()
    {
        _hosts = new TestHosts(5);
        using var postgres = new PostgresServer(); // one journal for both coordinator nodes, on a socket every host reaches
        var journal = $"--journal {postgres.ConnectionString}";
        var first = Coordinator(_hosts[1], extra: journal);
        var second = Coordinator(_hosts[2], first.ClusterAddress, journal);
        var minorityWorker = Worker(_hosts[3], first);
        Worker(_hosts[4], first);
        Worker(_hosts[5], first);
        WaitForWorkers(first, 3, members: 5);
        var file = SleepExperiment(_nodes.Root, 12, 3, seed: 13, steps: 3);
        var id = Submit(first.Address, file);
        NodeProcesses.WaitUntil(() => Done(first, id) >= 2 && Runs(first, minorityWorker), TimeSpan.FromSeconds(60), "two trials to end and one to run on the minority side");

        _hosts.Partition([_hosts[1], _hosts[3]], [_hosts[2], _hosts[4], _hosts[5]]);

        // The majority side takes the journal's lease first: the two nodes of the minority down themselves (so the old coordinator schedules no more),
        // the three others go on. The founder stops (alone it would found a second cluster); the worker tries to join again through it, in vain.
        Assert.That(Exits(first), "the minority's founder stops");
        Assert.That(_nodes.Log(first.Process), Does.Contain("it names no other node to join again through"));
        NodeProcesses.WaitUntil(() => _nodes.Log(minorityWorker.Process).Contains("was downed by the cluster"), TimeSpan.FromSeconds(60), "the minority worker to be downed");
        WaitForCompletion(second, id);
        var trials = AssertEveryTrialEndedOnce(second, id, file, 12);
        Assert.That(trials.Where(t => t.GetProperty("attempt").GetInt32() > 1).Select(Node), Has.None.EqualTo(minorityWorker.ClusterAddress),
            "no retry ran on the minority side");
        Assert.That(trials.Where(t => t.GetProperty("attempt").GetInt32() > 1), Is.Not.Empty, "the minority worker's trial ran again");
        AssertNothingRuns(second);
    }
}
