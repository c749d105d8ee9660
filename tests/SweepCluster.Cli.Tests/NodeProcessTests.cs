using System.Diagnostics;
using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>Nodes started on their own: endpoint security, unreachable nodes, late workers.</summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class NodeProcessTests
{
    [Test]
    public void An_unreachable_node_exits_3_and_says_so()
    {
        // Bound but never listening: every connection to it is refused, and no other process can take the port meanwhile.
        using var closed = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        closed.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)closed.LocalEndPoint!).Port;
        var result = CliRunner.Run($"127.0.0.1:{port}", "sweep", "list");
        Assert.That((result.ExitCode, result.Stderr.Trim()), Is.EqualTo((3, $"cannot reach 127.0.0.1:{port}: connection refused")));
    }

    [Test]
    public void A_command_keeps_asking_while_no_coordinator_answers_and_says_so_once()
    {
        using var nodes = new NodeProcesses();
        var coordinator = nodes.Start("coordinator");
        var worker = nodes.Start("worker", coordinator.ClusterAddress, "--cpu-slots 1");
        NodeProcesses.WaitUntil(() => ClusterCommands.TryJson(worker.Address, "sweep", "list") is not null, TimeSpan.FromSeconds(60), "the worker's node to reach the coordinator");
        NodeProcesses.Kill(coordinator);
        var watch = Stopwatch.StartNew();
        var list = CliRunner.Run(worker.Address, "sweep", "list", "--wait", "12");
        Assert.That(list.ExitCode, Is.EqualTo(1), "no coordinator came back: the query fails with the node's message");
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(12)), "it kept asking for --wait seconds");
        var lines = list.Stderr.TrimEnd().Split('\n');
        Assert.That(lines, Is.EqualTo(new[]
        {
            "no coordinator answers yet (one takes over after a failure); asking again for up to 12 s",
            "the coordinator did not answer within 10 s: is a node with the coordinator role up? (cluster show)",
        }));
    }

    [Test]
    public void A_non_loopback_endpoint_needs_a_token_and_refuses_requests_without_it()
    {
        using var nodes = new NodeProcesses();
        var refused = nodes.Launch($"node start --port 0 --cmd-host 0.0.0.0 --cmd-port 0 --gpus none --store {nodes.Root}/a");
        Assert.That(refused.WaitForExit(60_000));
        Assert.That(refused.ExitCode, Is.EqualTo(2));
        Assert.That(nodes.Log(refused), Does.Contain("set a token"));

        var token = new Dictionary<string, string> { ["SWEEP_CMD_TOKEN"] = "s3cret" };
        var node = nodes.Start("coordinator,worker", extra: "--cmd-host 0.0.0.0", environment: token, waitForEndpoint: false);
        NodeProcesses.WaitUntil(() => CliRunner.RunProcess(token, TimeSpan.FromSeconds(30), null, node.Address, "cluster", "leader").ExitCode == 0,
            TimeSpan.FromSeconds(60), "the node to answer with the token");
        var without = CliRunner.Run(node.Address, "sweep", "list");
        Assert.That(without.ExitCode, Is.EqualTo(1));
        Assert.That(without.Stderr, Does.Contain("unauthorized"));
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "wrong");
        Assert.That((int)http.PostAsync($"http://{node.Address}/api/sweep/list", new StringContent("{}")).Result.StatusCode, Is.EqualTo(401));
    }

    [Test]
    public void A_worker_that_joins_mid_sweep_gets_the_waiting_trials()
    {
        using var nodes = new NodeProcesses();
        var coordinator = nodes.Start("coordinator");
        var file = Path.Combine(nodes.Root, "late.yml");
        File.WriteAllText(file, "name: late\nnum_trials: 2\nsampler: random\nparams: {seconds: 0.2}\nparam_space:\n  value: uniform(0, 1)\nmetric: {name: value, direction: maximize}\nrun: builtin/sleep\n");
        var submitted = CliRunner.Run(coordinator.Address, "sweep", "submit", "-f", file);
        Assert.That(submitted.ExitCode, Is.Zero, submitted.Stderr);
        var id = submitted.Stdout.Trim();
        var waiting = CliRunner.Run(coordinator.Address, "sweep", "status", "-i", id, "--format", "json");
        Assert.That(JsonDocument.Parse(waiting.Stdout).RootElement.GetProperty("pending_reason").GetString(), Is.EqualTo("no worker has joined"));
        nodes.Start("worker", coordinator.ClusterAddress, "--cpu-slots 1");
        var watch = CliRunner.Run(coordinator.Address, "sweep", "watch", "-i", id);
        Assert.That(watch.ExitCode, Is.Zero, watch.Stderr);
    }

    [Test]
    public void A_node_that_has_not_joined_a_cluster_is_live_and_not_ready_until_it_does()
    {
        using var nodes = new NodeProcesses();
        // Its seed is a port nothing listens on: it keeps trying to join.
        using var closed = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        closed.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var seed = $"127.0.0.1:{((System.Net.IPEndPoint)closed.LocalEndPoint!).Port}";
        var node = nodes.Start("worker", seed, "--cpu-slots 1", waitForEndpoint: false);
        using var http = new HttpClient();
        NodeProcesses.WaitUntil(() => Probe(http, node, "live").Status == 200, TimeSpan.FromSeconds(60), "the node to answer its liveness probe");
        Assert.That(Probe(http, node, "live").Body, Is.EqualTo("{\"status\":\"live\"}"));
        var (status, body) = Probe(http, node, "ready");
        Assert.That(status, Is.EqualTo(503), body);
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("status").GetString(), Is.EqualTo("not ready"));
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("member").GetString(), Is.Not.EqualTo("up"));
    }

    private static (int Status, string Body) Probe(HttpClient http, NodeProcesses.Node node, string which)
    {
        try
        {
            using var response = http.GetAsync($"http://{node.Address}/health/{which}").Result;
            return ((int)response.StatusCode, response.Content.ReadAsStringAsync().Result);
        }
        catch (AggregateException e) when (e.InnerException is HttpRequestException)
        {
            return (0, "");
        }
    }
}
