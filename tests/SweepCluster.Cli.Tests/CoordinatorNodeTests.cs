namespace SweepCluster.Cli.Tests;

/// <summary>
/// A coordinator belongs on a small machine without torch: a coordinator-only node never maps libtorch. Coordinator nodes
/// share one journal, and one that does not leaves.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class CoordinatorNodeTests
{
    private NodeProcesses _nodes = null!;

    [SetUp]
    public void CreateNodes() => _nodes = new NodeProcesses();

    [TearDown]
    public void StopNodes() => _nodes.Dispose();

    private static bool MapsLibtorch(NodeProcesses.Node node) =>
        File.ReadLines($"/proc/{node.Process.Id}/maps").Any(line => line.Contains("libtorch", StringComparison.Ordinal));

    [Test]
    public void A_coordinator_only_node_schedules_a_sweep_without_loading_libtorch_while_its_worker_does()
    {
        var coordinator = _nodes.Start("coordinator");
        // gpus auto: the worker asks the trainers for CUDA devices, which loads libtorch; the same check sees it there.
        var worker = _nodes.Start("worker", coordinator.ClusterAddress, "--cpu-slots 1", gpus: "auto");
        var id = ClusterCommands.Submit(coordinator.Address, ClusterCommands.SleepExperiment(_nodes.Root, 2, 0.1, seed: 3));
        var watch = CliRunner.Run(coordinator.Address, "sweep", "watch", "-i", id);
        Assert.That(watch.ExitCode, Is.Zero, watch.Stderr + _nodes.AllLogs());
        Assert.That(MapsLibtorch(worker), Is.True, "the worker node loaded libtorch to look for GPUs");
        Assert.That(MapsLibtorch(coordinator), Is.False, "the coordinator-only node mapped libtorch");
    }

    [Test]
    public void A_coordinator_node_with_another_journal_leaves_saying_why_and_the_cluster_goes_on()
    {
        var first = _nodes.Start("coordinator");
        var stray = _nodes.Start("coordinator", first.ClusterAddress, waitForEndpoint: false); // a store of its own: another journal.db
        Assert.That(stray.Process.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "the node with another journal leaves" + _nodes.AllLogs());
        Assert.That(stray.Process.ExitCode, Is.EqualTo(1));
        Assert.That(_nodes.Log(stray.Process), Does.Contain($"sweepctl: this coordinator node's journal ({Path.Combine(stray.Store, "journal.db")}) is not the journal of the cluster's coordinator node {first.ClusterAddress} ({Path.Combine(first.Store, "journal.db")})"));
        NodeProcesses.WaitUntil(() => CliRunner.Run(first.Address, "cluster", "show").Stdout.Contains("Count: 1 nodes", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the stray node to be gone");
        var id = ClusterCommands.Submit(first.Address, ClusterCommands.SleepExperiment(_nodes.Root, 1, 0.1, seed: 4));
        Assert.That(CliRunner.Run(first.Address, "sweep", "status", "-i", id).ExitCode, Is.Zero, "the first coordinator node serves on");
    }
}
