using System.Net;
using static SweepCluster.Cli.Tests.ClusterChecks;
using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>Nodes given no seed nodes find each other by a service name (cluster bootstrap with configuration-based discovery).</summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class BootstrapProcessTests
{
    // Contact points must be known before the nodes start: fixed management ports, far from the default 8558.
    private static readonly int[] ManagementPorts = [28561, 28562, 28563];
    private NodeProcesses _nodes = null!;

    [SetUp]
    public void CreateNodes() => _nodes = new NodeProcesses();

    [TearDown]
    public void StopNodes()
    {
        _nodes.ReportIfFailed();
        _nodes.Dispose();
    }

    [Test]
    public void Three_nodes_without_seed_nodes_form_one_cluster_through_discovery_and_run_a_sweep()
    {
        var contactPoints = string.Join(",", ManagementPorts.Select(p => $"127.0.0.1:{p}"));
        string Bootstrap(int port) => $"--discovery config --service-name sweeps --contact-points {contactPoints} --management-port {port} --cpu-slots 1";
        // Started in an order unrelated to their addresses: the lowest contact point forms the cluster whichever starts first.
        var nodes = new[]
        {
            _nodes.Start("worker", extra: Bootstrap(ManagementPorts[2]), waitForEndpoint: false),
            _nodes.Start("coordinator,worker", extra: Bootstrap(ManagementPorts[0]), waitForEndpoint: false),
            _nodes.Start("worker", extra: Bootstrap(ManagementPorts[1]), waitForEndpoint: false),
        };

        var coordinator = nodes[1];
        WaitForWorkers(coordinator, 3, members: 3);
        foreach (var node in nodes)
            Assert.That(CliRunner.Run(node.Address, "cluster", "show").Stdout, Does.Contain("Count: 3 nodes"), $"{node.ClusterAddress} is in the one cluster");
        var id = Submit(nodes[0].Address, SleepExperiment(_nodes.Root, 6, 0.5, seed: 5));
        WaitForCompletion(nodes[2], id);
        Assert.That(Trials(coordinator, id).Select(t => t.GetProperty("node").GetString()).Distinct().Count(), Is.EqualTo(3), "every node's worker ran trials");

        using var http = new HttpClient();
        foreach (var node in nodes)
        {
            Assert.That(http.GetAsync($"http://{node.Address}/health/live").Result.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(http.GetAsync($"http://{node.Address}/health/ready").Result.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        var seedNodes = http.GetStringAsync($"http://127.0.0.1:{ManagementPorts[0]}/bootstrap/seed-nodes").Result;
        foreach (var node in nodes) Assert.That(seedNodes, Does.Contain($"\"Port\":{node.Port}"), "the contact point lists every member");
    }

    [Test]
    public void Discovery_settings_that_cannot_work_are_refused_with_what_would()
    {
        Assert.That(CliRunner.Run("node", "start", "--discovery", "config").Stderr,
            Does.Contain("--discovery config needs --contact-points: every node's host:management-port, comma-separated"));
        Assert.That(CliRunner.Run("node", "start", "--discovery", "dns").Stderr,
            Does.Contain("--discovery takes config (with --contact-points) or kubernetes (got 'dns')"));
        Assert.That(CliRunner.Run("node", "start", "--discovery", "kubernetes", "--seed-nodes", "127.0.0.1:4053").Stderr,
            Does.Contain("give --seed-nodes or --discovery, not both"));
        Assert.That(CliRunner.Run("node", "start", "--discovery", "config", "--contact-points", "127.0.0.1").Stderr,
            Does.Contain("--contact-points: '127.0.0.1' is not host:management-port"));
        var tooHigh = CliRunner.Run("node", "start", "--management-port", "185510");
        Assert.That((tooHigh.ExitCode, tooHigh.Stderr.Trim()), Is.EqualTo((2, "sweepctl: --management-port takes a port from 0 to 65535 (got 185510)")));
    }
}
