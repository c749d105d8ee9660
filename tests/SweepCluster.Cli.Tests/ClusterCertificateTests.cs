using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A cluster whose port speaks TLS: nodes holding a certificate from its authority join and run trials; a node without one,
/// and a node holding one from another cluster's authority, never become members.
/// </summary>
[TestFixture]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Category(TestKinds.Process)]
public sealed class ClusterCertificateTests
{
    private NodeProcesses _nodes = null!;

    [SetUp]
    public void StartNodes() => _nodes = new NodeProcesses();

    [TearDown]
    public void StopNodes()
    {
        _nodes.ReportIfFailed();
        _nodes.Dispose();
    }

    private string Certificates(string folder, string nodes)
    {
        var path = Path.Combine(_nodes.Root, folder);
        var made = CliRunner.Run("certificates", "create", "-o", path, "--nodes", nodes);
        Assert.That(made.ExitCode, Is.Zero, made.Stderr);
        return path;
    }

    [Test]
    public void Only_nodes_with_a_certificate_from_the_clusters_authority_join_and_trials_run_over_tls()
    {
        var ours = Certificates("ours", "coordinator,worker");
        var theirs = Certificates("theirs", "intruder");
        Assert.That(File.GetUnixFileMode(Path.Combine(ours, "worker.pfx")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "a key file is its owner's only");

        var coordinator = _nodes.Start("coordinator", extra: $"--cluster-certificate {Path.Combine(ours, "coordinator.pfx")}");
        var seed = $"127.0.0.1:{coordinator.Port}";
        _nodes.Start("worker", seed, $"--cluster-certificate {Path.Combine(ours, "worker.pfx")} --cpu-slots 2");
        // Neither outsider ever has a leader to name, which is what Start waits for by default.
        var plain = _nodes.Start("worker", seed, waitForEndpoint: false);
        var intruder = _nodes.Start("worker", seed, $"--cluster-certificate {Path.Combine(theirs, "intruder.pfx")}", waitForEndpoint: false);
        ClusterChecks.WaitForWorkers(coordinator, count: 1, members: 2);

        var id = Submit(coordinator.Address, SleepExperiment(_nodes.Root, trials: 4, seconds: 0.1, seed: 5));
        ClusterChecks.WaitForCompletion(coordinator, id);
        Assert.That(Json(coordinator.Address, "sweep", "status", "-i", id).GetProperty("summary").GetProperty("completed").GetInt32(), Is.EqualTo(4),
            "the worker's trials crossed the TLS port");

        NodeProcesses.WaitUntil(() => _nodes.Log(plain.Process).Contains("Couldn't join seed nodes", StringComparison.Ordinal), TimeSpan.FromSeconds(60),
            "the node without a certificate to have tried to join and failed");
        // The intruder refuses the coordinator's certificate too, and stops saying why.
        Assert.That(intruder.Process.WaitForExit(60_000), Is.True, "the intruder stops");
        Assert.That(intruder.Process.ExitCode, Is.EqualTo(1));
        Assert.That(_nodes.Log(intruder.Process), Does.Contain("stopped: a TLS handshake with a cluster node failed").And.Not.Contain("left the cluster"));
        var members = CliRunner.Run(coordinator.Address, "cluster", "show").Stdout;
        Assert.That(members, Does.Contain($"akka.ssl.tcp://sweep@127.0.0.1:{coordinator.Port} | [coordinator] | up |"));
        Assert.That(members, Does.Not.Contain($":{plain.Port} ").And.Not.Contain($":{intruder.Port} "), "neither outsider became a member");
        Assert.That(members.Trim().Split('\n')[^1], Is.EqualTo("Count: 2 nodes"));
        Assert.That(_nodes.Log(coordinator.Process), Does.Match(@"refused a cluster connection from \S+: certificate 'CN=intruder, O=SweepCluster' is not issued by this cluster's authority"));
    }

    [Test]
    public void A_certificate_file_that_cannot_start_a_node_is_named_with_what_to_do()
    {
        var ours = Certificates("ours", "a");
        string Refusal(string file, string? seed = null)
        {
            var result = CliRunner.Run(["node", "start", "--cluster-certificate", file, "--store", Path.Combine(_nodes.Root, "store"), .. seed is null ? Array.Empty<string>() : ["--seed-nodes", seed]]);
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Stdout + result.Stderr);
            Assert.That(result.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no trace");
            return result.Stderr;
        }

        var missing = Path.Combine(ours, "b.pfx");
        Assert.That(Refusal(missing), Does.Contain($"{missing}: not a readable certificate file").And.Contain("sweepctl certificates create"));
        var authority = Path.Combine(ours, "authority.pfx");
        Assert.That(Refusal(authority), Does.Contain($"{authority}: holds no node certificate with its key"));
        var garbage = Path.Combine(ours, "garbage.pfx");
        File.WriteAllText(garbage, "not a certificate");
        Assert.That(Refusal(garbage), Does.Contain($"{garbage}: not a readable certificate file"));
        Assert.That(Refusal(Path.Combine(ours, "a.pfx"), "akka.tcp://sweep@127.0.0.1:4053"),
            Does.Contain("is a akka.tcp address, but this cluster's nodes speak TLS").And.Contain("akka.ssl.tcp://sweep@host:port"));
    }

    [Test]
    public void Certificates_create_reuses_the_folders_authority_so_a_node_added_later_joins_the_same_cluster()
    {
        var folder = Certificates("ours", "a");
        var authority = File.ReadAllBytes(Path.Combine(folder, "authority.pfx"));
        var added = CliRunner.Run("certificates", "create", "-o", folder, "--nodes", "10.0.0.7");
        Assert.That(added.ExitCode, Is.Zero, added.Stderr);
        Assert.That(added.Stdout, Does.Not.Contain("authority.pfx"), "the authority is kept, not made again");
        Assert.That(File.ReadAllBytes(Path.Combine(folder, "authority.pfx")), Is.EqualTo(authority));

        var first = Cluster.Hosting.ClusterCertificate.Load(Path.Combine(folder, "a.pfx"), null);
        var later = Cluster.Hosting.ClusterCertificate.Load(Path.Combine(folder, "10.0.0.7.pfx"), null);
        Assert.That(first.Accepts(later.Node, out var why), Is.True, why);
        var stranger = Cluster.Hosting.ClusterCertificate.Load(Path.Combine(Certificates("theirs", "b"), "b.pfx"), null);
        Assert.That(first.Accepts(stranger.Node, out why), Is.False);
        Assert.That(why, Does.Contain("CN=b, O=SweepCluster"));

        var refused = CliRunner.Run("certificates", "create", "-o", folder, "--nodes", "../escape");
        Assert.That(refused.ExitCode, Is.EqualTo(2));
        Assert.That(refused.Stderr, Does.Contain("'../escape' is not a host name or address"));
    }
}
