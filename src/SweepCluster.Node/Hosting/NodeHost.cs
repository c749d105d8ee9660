using System.Collections.Immutable;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Trials;
using SweepCluster.Node.Endpoint;
using SweepCluster.Training.Trials;

namespace SweepCluster.Node.Hosting;

/// <summary>
/// One cluster node as <c>sweepctl node start</c> runs it: the actor system of its roles, the command endpoint and
/// /metrics, until Ctrl-C or SIGTERM. A worker gets the trainers; a coordinator-only node never loads them.
/// </summary>
public static class NodeHost
{
    public const int DefaultCmdPort = 9110;

    /// <summary>Whether the node runs trials (has the worker role); a <see cref="FormatException"/> when <c>--roles</c> is wrong.</summary>
    public static bool RunsTrials(NodeSettings s) => Roles(s).Contains(ClusterNames.WorkerRole);

    private static ImmutableArray<string> Roles(NodeSettings s)
    {
        var roles = (s.Roles ?? $"{ClusterNames.CoordinatorRole},{ClusterNames.WorkerRole}").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableArray();
        if (roles.IsEmpty || roles.Except([ClusterNames.CoordinatorRole, ClusterNames.WorkerRole]).Any())
            throw new FormatException($"--roles takes coordinator, worker or both (got '{s.Roles}')");
        return roles;
    }

    /// <summary>The node's options from its settings; throws a <see cref="FormatException"/> naming the setting and what it takes.</summary>
    public static (NodeOptions Node, EndpointOptions Endpoint) Resolve(NodeSettings s, ITrialRunner runner)
    {
        var roles = Roles(s);
        var certificate = s.ClusterCertificate is { } file ? ClusterCertificate.Load(file, Environment.GetEnvironmentVariable(ClusterCertificate.PasswordVariable)) : null;
        ImmutableArray<string> seeds;
        try
        {
            seeds = [.. (s.SeedNodes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(seed => NodeAddress.Normalize(seed, certificate is not null))];
        }
        catch (FormatException e)
        {
            throw new FormatException($"--seed-nodes: {e.Message}", e);
        }
        var endpoint = new EndpointOptions(s.CmdHost ?? "127.0.0.1", s.CmdPort ?? DefaultCmdPort, s.CmdToken);
        if (!endpoint.IsLoopback && string.IsNullOrEmpty(endpoint.Token))
            throw new FormatException($"the command endpoint on {endpoint.Host} is reachable from other machines: set a token (cmd_token in the config file or {EndpointOptions.TokenVariable})");
        foreach (var (name, value) in new[] { ("--port", s.Port), ("--cmd-port", s.CmdPort), ("--management-port", s.ManagementPort) })
            if (value is < 0 or > 65535) throw new FormatException($"{name} takes a port from 0 to 65535 (got {value})");
        if (s.HeartbeatPause is <= 0 || s.DownAfter is <= 0) throw new FormatException("--heartbeat-pause and --down-after take a number of seconds > 0");
        var store = Path.GetFullPath(s.Store ?? "store");
        try
        {
            Directory.CreateDirectory(store);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"--store {store}: cannot make or use the store folder ({e.Message}); give a folder this node can write");
        }
        if (s.Journal is { } journal && !IsConnectionString(journal))
            throw new FormatException("--journal: not a PostgreSQL connection string; write Host=HOST;Database=DB;Username=USER;Password=... (or leave it out for STORE/journal.db)");
        var runs = Path.Combine(store, "runs");
        endpoint = endpoint with { CodeFolder = Cluster.Code.CodeStore.FolderBeside(runs) };
        // Only a worker asks for GPUs: on a coordinator-only node that would load libtorch for nothing.
        var isWorker = roles.Contains(ClusterNames.WorkerRole);
        var gpus = isWorker ? GpuSelection.Parse(s.Gpus ?? "auto", runner.DetectGpus) : [];
        var node = new NodeOptions(roles, s.Host ?? "127.0.0.1", s.Port ?? 4053, seeds,
            new WorkerOptions(gpus, s.CpuSlots ?? Environment.ProcessorCount, s.Data, Path.GetFullPath(s.Checkpoints ?? Path.Combine(store, "checkpoints")), s.GpuTrialsOnCpu ?? false, runs,
                s.LeaveAt),
            runs,
            s.Journal is { } connection ? new JournalOptions.PostgreSql(connection) : new JournalOptions.Sqlite(Path.Combine(store, "journal.db")),
            s.HeartbeatPause is { } pause ? TimeSpan.FromSeconds(pause) : NodeOptions.DefaultHeartbeatPause,
            s.DownAfter is { } down ? TimeSpan.FromSeconds(down) : NodeOptions.DefaultDownAfter,
            LeaveAt: s.LeaveAt, Bootstrap: Bootstrap(s, seeds), Certificate: certificate);
        return (node, endpoint);
    }

    private static bool IsConnectionString(string text)
    {
        try
        {
            return new Npgsql.NpgsqlConnectionStringBuilder(text).Host is { Length: > 0 };
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public const string DefaultServiceName = "sweep";

    /// <summary>Cluster bootstrap when <c>--discovery</c> names a method; null for a cluster formed from seed nodes.</summary>
    private static BootstrapOptions? Bootstrap(NodeSettings s, ImmutableArray<string> seeds)
    {
        if (s.Discovery is null)
        {
            if (s.ContactPoints is not null) throw new FormatException("--contact-points needs --discovery config");
            return null;
        }
        if (s.Discovery is not (BootstrapOptions.ConfigMethod or BootstrapOptions.KubernetesMethod))
            throw new FormatException($"--discovery takes {BootstrapOptions.ConfigMethod} (with --contact-points) or {BootstrapOptions.KubernetesMethod} (got '{s.Discovery}')");
        if (!seeds.IsEmpty) throw new FormatException("give --seed-nodes or --discovery, not both: with discovery the nodes find each other");
        var points = (s.ContactPoints ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableArray();
        if (s.Discovery == BootstrapOptions.ConfigMethod && points.IsEmpty)
            throw new FormatException("--discovery config needs --contact-points: every node's host:management-port, comma-separated");
        foreach (var point in points)
            if (point.Split(':') is not [{ Length: > 0 }, var port] || !int.TryParse(port, out _))
                throw new FormatException($"--contact-points: '{point}' is not host:management-port");
        var required = s.RequiredContactPoints ?? (points.IsEmpty ? 2 : points.Length);
        if (required < 1) throw new FormatException("--required-contact-points takes a whole number >= 1");
        return new BootstrapOptions(s.Discovery, s.ServiceName ?? DefaultServiceName, s.ManagementPort ?? BootstrapOptions.DefaultManagementPort, required, points);
    }

    /// <summary>
    /// The hosts' content root: the program's folder, not the working directory. The host watches its content root, subfolders
    /// included, for changed settings files; in the working directory that watch saw every trial folder the node writes (about
    /// 5% of a node's CPU at a thousand trials a second).
    /// </summary>
    public static string ContentRoot => AppContext.BaseDirectory;

    /// <summary>Builds the node's web application: the actor system, the command endpoint and /metrics.</summary>
    public static WebApplication Build(NodeOptions node, EndpointOptions endpoint, ITrialRunner runner)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = ContentRoot });
        AddNode(builder.Logging, builder.Services, node, runner,
            // The host logs its start failures with a stack trace before throwing them; RunAsync says them in one line.
            (category, level) => level >= (category == "Microsoft.Extensions.Hosting.Internal.Host" ? LogLevel.Critical
                : category?.StartsWith("Microsoft", StringComparison.Ordinal) == true ? LogLevel.Warning : LogLevel.Information));
        builder.WebHost.UseKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = CommandEndpoint.MaxRequestBytes;
            if (endpoint.Host == "localhost") k.ListenLocalhost(endpoint.Port);
            else k.Listen(IPAddress.TryParse(endpoint.Host, out var ip) ? ip : throw new FormatException($"--cmd-host '{endpoint.Host}' is not an IP address"), endpoint.Port);
            // Cluster bootstrap's contact point, on the node's cluster address (where the others discover it).
            if (node.Bootstrap is { } bootstrap) k.Listen(ManagementAddress(node.Host), bootstrap.ManagementPort);
        });
        builder.Services.AddSingleton(endpoint);
        NodeProbes.AddChecks(builder.Services);
        builder.Services.AddSingleton(services => new Serving.ServedModels(services.GetRequiredService<Akka.Actor.ActorSystem>(),
            Path.Combine(Path.GetDirectoryName(Path.GetFullPath(endpoint.CodeFolder))!, "served")));
        builder.Services.AddSweepTelemetry($"{(node.Certificate is null ? "akka.tcp" : "akka.ssl.tcp")}://{ClusterNames.SystemName}@{node.Host}:{node.Port}");
        var app = builder.Build();
        CommandEndpoint.Map(app, endpoint, node.Bootstrap?.ManagementPort);
        Serving.ModelServingEndpoint.Map(app);
        NodeProbes.Map(app, node.Bootstrap?.ManagementPort);
        app.MapSweepTelemetry();
        return app;
    }

    private static IPAddress ManagementAddress(string host) => IPAddress.TryParse(host, out var ip) ? ip
        : Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new FormatException($"--host '{host}' does not resolve to an address");

    /// <summary>The node's actor system, with its logs on stderr (stdout stays for results) as <paramref name="logFilter"/> lets them through.</summary>
    internal static void AddNode(ILoggingBuilder logging, IServiceCollection services, NodeOptions node, ITrialRunner runner, Func<string?, LogLevel, bool> logFilter)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o => o.SingleLine = true).AddFilter(logFilter);
        services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        services.AddSweepNode(node, node.IsWorker ? runner : null);
    }

    /// <summary>
    /// Runs a node until <paramref name="cancellation"/> (Ctrl-C) or SIGTERM; stopping the host leaves the cluster. A node the
    /// cluster downs (it was unreachable, or on the side of a split that stopped) joins again by itself, as a new incarnation on
    /// the same ports, through its seed nodes but never through itself: a node that founded the cluster alone would found a
    /// second one, so it stops instead, saying how to bring it back.
    /// </summary>
    /// <param name="started">Told the command endpoint's address once the node serves it (each incarnation).</param>
    public static async Task RunAsync(NodeSettings settings, TextWriter output, CancellationToken cancellation, Action<Uri>? started = null)
    {
        while (await RunIncarnationAsync(settings, output, cancellation, started) is { } next)
        {
            settings = next;
            await Task.Delay(RejoinDelay, cancellation);
        }
    }

    /// <summary>How long a downed node waits before it joins again: its old incarnation's removal has reached the others by then.</summary>
    private static readonly TimeSpan RejoinDelay = TimeSpan.FromSeconds(5);

    /// <summary>Runs one incarnation of the node; the settings of the next when the cluster downed it and it can join again, else null.</summary>
    private static async Task<NodeSettings?> RunIncarnationAsync(NodeSettings settings, TextWriter output, CancellationToken cancellation, Action<Uri>? started)
    {
        var runner = new TrainerTrialRunner();
        var (node, endpoint) = Resolve(settings, runner);
        await using var app = Build(node, endpoint, runner);
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (Exception e) when (e is IOException and not JournalUnusableException or System.Net.Sockets.SocketException)
        {
            // An address this machine cannot listen on (one it does not have, an IPv4-mapped IPv6 one) or a port in use.
            throw new IOException($"cannot serve commands on {endpoint.Host}:{endpoint.Port}: {e.Message}; give --cmd-host an address of this machine "
                + "(127.0.0.1 by default) and a free --cmd-port", e);
        }
        // Port 0 asks the system for a free port: say which ports the node got, so that others can join it and send it commands.
        var system = app.Services.GetRequiredService<Akka.Actor.ActorSystem>();
        var cluster = Akka.Cluster.Cluster.Get(system).SelfAddress;
        var commands = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        output.WriteLine($"node {cluster} [{string.Join(",", node.Roles)}] started; commands on {commands.OriginalString}; Ctrl-C to leave");
        output.Flush();
        started?.Invoke(commands);
        await app.WaitForShutdownAsync(cancellation);
        var reason = Akka.Actor.CoordinatedShutdown.Get(system).ShutdownReason;
        if (reason is NodeStopReason stop) throw new IOException(stop.Message);
        // Akka stops a node whose TLS handshake with a seed failed; its reason's type is internal, so it is known by name.
        if (reason?.GetType().Name == "TlsHandshakeFailureReason")
            throw new IOException($"node {cluster} stopped: a TLS handshake with a cluster node failed (the log above says which and why); "
                + "every node needs a --cluster-certificate file from the same authority (sweepctl certificates create)");
        if (reason is not Akka.Actor.CoordinatedShutdown.ClusterDowningReason || cancellation.IsCancellationRequested)
        {
            output.WriteLine("left the cluster");
            return null;
        }
        var seeds = node.SeedNodes.Where(seed => seed != cluster.ToString()).ToList();
        if (seeds.Count == 0)
            throw new IOException($"node {cluster} was downed by the cluster (it was unreachable, or on the side of a split that stopped); it names no other node to "
                + "join again through (it founded the cluster, or found it by discovery), and alone it would found a second cluster: start it again with "
                + "--seed-nodes naming a node of the running cluster");
        output.WriteLine($"node {cluster} was downed by the cluster (it was unreachable, or on the side of a split that stopped); "
            + $"it joins again through {string.Join(", ", seeds)} as a new incarnation");
        output.Flush();
        return settings with { Port = cluster.Port, CmdPort = commands.Port, SeedNodes = string.Join(",", seeds) };
    }
}
