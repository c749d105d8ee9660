namespace SweepCluster.Cli.Tests;

/// <summary>A coordinator belongs on a small machine without torch: a coordinator-only node never maps libtorch.</summary>
[NonParallelizable]
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
}
