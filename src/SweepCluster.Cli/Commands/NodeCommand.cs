using System.Collections.Immutable;
using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SweepCluster.Cli.Endpoint;
using SweepCluster.Cli.Hosting;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Worker;

namespace SweepCluster.Cli.Commands;

/// <summary><c>sweepctl node start</c>: one cluster node, serving the command endpoint and /metrics, until Ctrl-C or SIGTERM.</summary>
internal static class NodeCommand
{
    public const int DefaultCmdPort = 9110;
    public const string TokenVariable = "SWEEP_CMD_TOKEN";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var config = new Option<string?>("--config") { Description = "A node config file (cluster-config/*.yml); switches override it" };
        var roles = new Option<string?>("--roles") { Description = "coordinator, worker, or both: coordinator,worker (default)" };
        var host = new Option<string?>("--host") { Description = "Address to bind and advertise for the cluster (default 127.0.0.1)" };
        var port = new Option<int?>("--port") { Description = "Cluster port (default 4053)" };
        var seeds = new Option<string?>("--seed-nodes") { Description = "Nodes to join, comma-separated: host:port or akka.tcp://sweep@host:port" };
        var cmdHost = new Option<string?>("--cmd-host") { Description = "Address of the command endpoint (default 127.0.0.1; any other needs a token)" };
        var cmdPort = new Option<int?>("--cmd-port") { Description = $"Port of the command endpoint (default {DefaultCmdPort})" };
        var gpus = new Option<string?>("--gpus") { Description = "GPUs this worker offers: auto (default), none, or ids like 0,1" };
        var cpuSlots = new Option<double?>("--cpu-slots") { Description = "CPU slots this worker offers (default: the number of cores)" };
        var data = new Option<string?>("--data") { Description = "Shower files for the networks (default: the synthetic set)" };
        var store = new Option<string?>("--store") { Description = "The node's store: the journal (STORE/journal.db), runs (STORE/runs) and checkpoints (default ./store)" };
        var journal = new Option<string?>("--journal") { Description = "A PostgreSQL connection string for the coordinator's journal, instead of STORE/journal.db" };
        var checkpoints = new Option<string?>("--checkpoints") { Description = "Where trials keep checkpoints; a shared path across machines (default STORE/checkpoints)" };
        var heartbeatPause = new Option<double?>("--heartbeat-pause") { Description = "Seconds a node's heartbeats may be late before it is unreachable (default 10)" };
        var downAfter = new Option<double?>("--down-after") { Description = "Seconds before unreachable nodes are downed and their trials retried elsewhere (default 20)" };
        var start = new Command("start", "Start a cluster node and run until Ctrl-C or SIGTERM, leaving the cluster gracefully")
        {
            config, roles, host, port, seeds, cmdHost, cmdPort, gpus, cpuSlots, data, store, journal, checkpoints, heartbeatPause, downAfter,
        };
        start.SetAction(async (parsed, cancellation) =>
        {
            NodeSettings settings;
            try
            {
                var file = parsed.GetValue(config) is { } path ? NodeSettings.Read(path) : new NodeSettings();
                settings = file.OverriddenBy(new NodeSettings(parsed.GetValue(roles), parsed.GetValue(host), parsed.GetValue(port), parsed.GetValue(seeds),
                    parsed.GetValue(cmdHost), parsed.GetValue(cmdPort), null, parsed.GetValue(gpus), parsed.GetValue(cpuSlots), parsed.GetValue(data), parsed.GetValue(store),
                    parsed.GetValue(journal), parsed.GetValue(checkpoints), parsed.GetValue(heartbeatPause), parsed.GetValue(downAfter)));
                return await Run(settings, output, error, cancellation);
            }
            catch (FormatException e)
            {
                error.WriteLine($"sweepctl: {e.Message}");
                return ExitCodes.InvalidInput;
            }
        });
        return new Command("node", "Run a cluster node") { start };
    }

    private static async Task<int> Run(NodeSettings s, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        var roles = (s.Roles ?? $"{ClusterNames.CoordinatorRole},{ClusterNames.WorkerRole}").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableArray();
        var unknown = roles.Except([ClusterNames.CoordinatorRole, ClusterNames.WorkerRole]).ToList();
        if (unknown.Count > 0 || roles.IsEmpty) throw new FormatException($"--roles takes coordinator, worker or both (got '{s.Roles}')");
        var seeds = (s.SeedNodes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(NodeAddress.Normalize).ToImmutableArray();
        var endpoint = new EndpointOptions(s.CmdHost ?? "127.0.0.1", s.CmdPort ?? DefaultCmdPort, s.CmdToken ?? Environment.GetEnvironmentVariable(TokenVariable));
        if (!endpoint.IsLoopback && string.IsNullOrEmpty(endpoint.Token))
            throw new FormatException($"the command endpoint on {endpoint.Host} is reachable from other machines: set a token (cmd_token in the config file or {TokenVariable})");
        var store = Path.GetFullPath(s.Store ?? "store");
        if (s.HeartbeatPause is <= 0 || s.DownAfter is <= 0) throw new FormatException("--heartbeat-pause and --down-after take a number of seconds > 0");
        var node = new NodeOptions(roles, s.Host ?? "127.0.0.1", s.Port ?? 4053, seeds,
            new WorkerOptions(WorkerOptions.ParseGpus(s.Gpus ?? "auto"), s.CpuSlots ?? Environment.ProcessorCount, s.Data, Path.GetFullPath(s.Checkpoints ?? Path.Combine(store, "checkpoints"))),
            Path.Combine(store, "runs"),
            s.Journal is { } connection ? new JournalOptions.PostgreSql(connection) : new JournalOptions.Sqlite(Path.Combine(store, "journal.db")),
            s.HeartbeatPause is { } pause ? TimeSpan.FromSeconds(pause) : NodeOptions.DefaultHeartbeatPause,
            s.DownAfter is { } down ? TimeSpan.FromSeconds(down) : NodeOptions.DefaultDownAfter);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).AddFilter((category, level) => level >= (category?.StartsWith("Microsoft", StringComparison.Ordinal) == true ? LogLevel.Warning : LogLevel.Information));
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.UseKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = CommandEndpoint.MaxRequestBytes;
            if (endpoint.Host == "localhost") k.ListenLocalhost(endpoint.Port);
            else k.Listen(IPAddress.TryParse(endpoint.Host, out var ip) ? ip : throw new FormatException($"--cmd-host '{endpoint.Host}' is not an IP address"), endpoint.Port);
        });
        builder.Services.AddSweepNode(node);
        builder.Services.AddSweepTelemetry($"akka.tcp://{ClusterNames.SystemName}@{node.Host}:{node.Port}");
        await using var app = builder.Build();
        CommandEndpoint.Map(app, endpoint);
        app.MapSweepTelemetry();
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (IOException e)
        {
            error.WriteLine($"sweepctl: cannot serve commands on {endpoint.Host}:{endpoint.Port}: {e.Message}");
            return ExitCodes.Failed;
        }
        output.WriteLine($"node akka.tcp://{ClusterNames.SystemName}@{node.Host}:{node.Port} [{string.Join(",", roles)}] started; commands on http://{endpoint.Host}:{endpoint.Port}; Ctrl-C to leave");
        output.Flush();
        // Ends on Ctrl-C (the token) or SIGTERM (the host's console lifetime); stopping the host leaves the cluster.
        await app.WaitForShutdownAsync(cancellation);
        output.WriteLine("left the cluster");
        return ExitCodes.Ok;
    }
}
