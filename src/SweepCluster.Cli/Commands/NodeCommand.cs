using System.CommandLine;
using SweepCluster.Cli.Kernels;
using SweepCluster.Node.Hosting;

namespace SweepCluster.Cli.Commands;

/// <summary><c>sweepctl node start</c>: one cluster node, serving the command endpoint and /metrics, until Ctrl-C or SIGTERM.</summary>
internal static class NodeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var config = new Option<string?>("--config") { Description = "A node config file (cluster-config/*.yml); SWEEP_KEY environment variables override it, and switches override both" };
        var roles = new Option<string?>("--roles") { Description = "coordinator, worker, or both: coordinator,worker (default)" };
        var host = new Option<string?>("--host") { Description = "Address to bind and advertise for the cluster (default 127.0.0.1)" };
        var port = new Option<int?>("--port") { Description = "Cluster port (default 4053)" };
        var seeds = new Option<string?>("--seed-nodes") { Description = "Nodes to join, comma-separated: host:port or akka.tcp://sweep@host:port" };
        var cmdHost = new Option<string?>("--cmd-host") { Description = "Address of the command endpoint (default 127.0.0.1; any other needs a token)" };
        var cmdPort = new Option<int?>("--cmd-port") { Description = $"Port of the command endpoint (default {NodeHost.DefaultCmdPort})" };
        var gpus = new Option<string?>("--gpus") { Description = "GPUs this worker offers: auto (default), none, or ids like 0,1" };
        var cpuSlots = new Option<double?>("--cpu-slots") { Description = "CPU slots this worker offers (default: the number of cores)" };
        var data = new Option<string?>("--data") { Description = "Shower files for the networks (default: the synthetic set)" };
        var store = new Option<string?>("--store") { Description = "The node's store: the journal (STORE/journal.db), runs (STORE/runs) and checkpoints (default ./store)" };
        var journal = new Option<string?>("--journal") { Description = "A PostgreSQL connection string for the coordinator's journal, instead of STORE/journal.db" };
        var checkpoints = new Option<string?>("--checkpoints") { Description = "Where trials keep checkpoints; a shared path across machines (default STORE/checkpoints)" };
        var heartbeatPause = new Option<double?>("--heartbeat-pause") { Description = "Seconds a node's heartbeats may be late before it is unreachable (default 10)" };
        var downAfter = new Option<double?>("--down-after") { Description = "Seconds before unreachable nodes are downed and their trials retried elsewhere (default 20)" };
        var gpuTrialsOnCpu = new Option<bool>("--gpu-trials-on-cpu") { Description = "Run trials that ask for a GPU on this worker's CPU slots (a cluster without GPUs)" };
        var leaveAt = new Option<string?>("--leave-at") { Description = "A time (ISO 8601) at which the node gives its running trials back and leaves the cluster" };
        var discovery = new Option<string?>("--discovery") { Description = "Find the other nodes without seed nodes: config (with --contact-points) or kubernetes (pods labelled app=SERVICE)" };
        var serviceName = new Option<string?>("--service-name") { Description = $"The service the nodes discover each other as (default {NodeHost.DefaultServiceName})" };
        var contactPoints = new Option<string?>("--contact-points") { Description = "For --discovery config: every node's host:management-port, comma-separated" };
        var managementPort = new Option<int?>("--management-port") { Description = $"Akka.Management's port, which cluster bootstrap asks (default {Cluster.Hosting.BootstrapOptions.DefaultManagementPort})" };
        var requiredContactPoints = new Option<int?>("--required-contact-points") { Description = "Nodes that must be found before a new cluster forms (default: the contact points listed, or 2)" };
        var certificate = new Option<string?>("--cluster-certificate") { Description = $"This node's file from sweepctl certificates create: the cluster port then speaks TLS and admits only nodes holding one (password in {Cluster.Hosting.ClusterCertificate.PasswordVariable})" };
        var start = new Command("start", "Start a cluster node and run until Ctrl-C or SIGTERM, leaving the cluster gracefully")
        {
            config, roles, host, port, seeds, cmdHost, cmdPort, gpus, cpuSlots, data, store, journal, checkpoints, heartbeatPause, downAfter, gpuTrialsOnCpu, leaveAt,
            discovery, serviceName, contactPoints, managementPort, requiredContactPoints, certificate,
        };
        start.SetAction(async (parsed, cancellation) => await RunNode(error, async () =>
        {
            var file = parsed.GetValue(config) is { } path ? NodeSettings.Read(path) : new NodeSettings();
            var settings = file.OverriddenBy(NodeSettings.FromEnvironment()).OverriddenBy(NodeSettings.FromSwitches(Switches.Given(parsed, start.Options.Where(o => o != config))));
            if (NodeHost.RunsTrials(settings)) OneDnnChoice.Apply(error);
            await NodeHost.RunAsync(settings, output, cancellation);
        }));
        return new Command("node", "Run a cluster node") { start };
    }

    /// <summary>Runs a node until it leaves; bad settings and unusable ports or files end it with their message, not a trace.</summary>
    public static async Task<int> RunNode(TextWriter error, Func<Task> run)
    {
        try
        {
            await run();
            return ExitCodes.Ok;
        }
        catch (FormatException e)
        {
            error.WriteLine($"sweepctl: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (IOException e)
        {
            error.WriteLine($"sweepctl: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
