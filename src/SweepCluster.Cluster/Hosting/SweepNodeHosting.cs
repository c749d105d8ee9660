using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Discovery.Config.Hosting;
using Akka.Discovery.KubernetesApi;
using Akka.Event;
using Akka.Hosting;
using Akka.Management.Cluster.Bootstrap;
using Akka.Persistence.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using LinqToDB;
using Microsoft.Extensions.DependencyInjection;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Registry;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Cluster.Telemetry;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Trials;

namespace SweepCluster.Cluster.Hosting;

/// <summary>The node's journal cannot be used: the message names it and what to do.</summary>
public sealed class JournalUnusableException(string message, Exception inner) : IOException(message, inner);

public static class SweepNodeHosting
{
    /// <summary>JSON for every message between nodes and every journal event and snapshot.</summary>
    public static AkkaConfigurationBuilder WithSweepSerializer(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer("sweep-json", SweepMessageSerializer.BoundTypes, system => new SweepMessageSerializer(system));

    /// <summary>
    /// SQLite's write-ahead log (kept in the file once set): a commit appends the pages it changed instead of copying
    /// them to a rollback journal first, and a second coordinator node on the machine can read while the first writes.
    /// </summary>
    /// <exception cref="IOException">The file is not a database (truncated, overwritten) or cannot be opened: the message names it and what to do.</exception>
    private static void UseWriteAheadLog(string file)
    {
        try
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}");
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL;";
            pragma.ExecuteNonQuery();
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new JournalUnusableException($"the journal {file} is damaged or cannot be opened ({e.Message}): restore it from a backup, "
                + "or move it away to start this coordinator with an empty journal", e);
        }
    }

    /// <summary>A PostgreSQL journal that cannot be reached at start ends the node with one line, not a node that retries with traces.</summary>
    /// <exception cref="JournalUnusableException">The server does not answer or refuses the connection: the message names it.</exception>
    private static void CheckReachable(string connectionString)
    {
        try
        {
            using var connection = new Npgsql.NpgsqlConnection(connectionString);
            connection.Open();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            var where = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            throw new JournalUnusableException($"the journal, PostgreSQL database {where.Database} on {where.Host}, cannot be reached ({e.Message}): "
                + "check --journal and that the server is up", e);
        }
    }

    /// <summary>The coordinator's journal and snapshot store: an embedded SQLite file, a PostgreSQL server, or memory.</summary>
    public static AkkaConfigurationBuilder WithSweepJournal(this AkkaConfigurationBuilder builder, JournalOptions journal)
    {
        switch (journal)
        {
            case JournalOptions.Sqlite sqlite:
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(sqlite.File))!);
                UseWriteAheadLog(sqlite.File);
                // SQLite has one writer at a time: concurrent writers of the plugin only wait on each other's locks.
                return builder.WithSqlPersistence($"Data Source={sqlite.File}", ProviderName.SQLiteMS, autoInitialize: true)
                    .AddHocon("akka.persistence.journal.sql.parallelism = 1", HoconAddMode.Prepend);
            case JournalOptions.PostgreSql postgres:
                CheckReachable(postgres.ConnectionString);
                return builder.WithSqlPersistence(postgres.ConnectionString, ProviderName.PostgreSQL15, autoInitialize: true);
            default:
                return builder.WithInMemoryJournal().WithInMemorySnapshotStore();
        }
    }

    /// <summary>
    /// Cluster bootstrap with the discovery method the options name: the node asks the contact points it discovers (every node's
    /// management port) for their cluster, joins it, or forms one with them. Akka.Management's own HTTP server cannot start with
    /// the Ceen.Httpd the package feed serves, so the node's web host serves the contact point (<c>/bootstrap/seed-nodes</c>) on
    /// the management port, and bootstrap is told that this is its own contact point.
    /// </summary>
    private static AkkaConfigurationBuilder WithSweepBootstrap(this AkkaConfigurationBuilder akka, BootstrapOptions bootstrap, string host)
    {
        akka.WithClusterBootstrap(o =>
            {
                o.ContactPointDiscovery.ServiceName = bootstrap.ServiceName;
                o.ContactPointDiscovery.RequiredContactPointsNr = bootstrap.RequiredContactPoints;
                // A port name keeps contact points that share a host apart (otherwise one per host is kept); on Kubernetes it names the pod's port.
                o.ContactPointDiscovery.PortName = BootstrapOptions.PortName;
            }, autoStart: false)
            .AddStartup(async (system, _) =>
            {
                var clusterBootstrap = ClusterBootstrap.Get(system);
                clusterBootstrap.Routes(Akka.Management.Dsl.ManagementRouteProviderSettings.Create(new Uri($"http://{host}:{bootstrap.ManagementPort}/"), true));
                await clusterBootstrap.Start();
            });
        return bootstrap.Method == BootstrapOptions.KubernetesMethod
            ? akka.WithKubernetesDiscovery(bootstrap.PodLabelSelector)
            : akka.WithConfigDiscovery(o => o.Services.Add(new Service { Name = bootstrap.ServiceName, Endpoints = [.. bootstrap.ContactPoints] }));
    }

    /// <summary>
    /// Split-brain resolution by lease-majority over <see cref="Journal.JournalLease"/>: after any split, a side goes on only
    /// while it holds the lease in the journal's database (the larger side tries first), and coordinator nodes keep it.
    /// </summary>
    private static AkkaConfigurationBuilder WithJournalLease(this AkkaConfigurationBuilder akka, NodeOptions options)
    {
        akka.AddHocon($$"""
            akka.cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
            akka.cluster.split-brain-resolver.active-strategy = lease-majority
            # Downing every node when failures keep coming guards against two sides deciding differently; the lease already
            # prevents that, and a second fault within the first one's stable-after would otherwise take the whole cluster down.
            akka.cluster.split-brain-resolver.down-all-when-unstable = off
            akka.cluster.split-brain-resolver.lease-majority {
              lease-implementation = "{{Journal.JournalLease.ConfigPath}}"
              lease-name = "{{ClusterNames.SystemName}}-split-brain"
            }
            {{Journal.JournalLease.ConfigPath}} {
              lease-class = "{{typeof(Journal.JournalLease).AssemblyQualifiedName}}"
              heartbeat-interval = 4s
              heartbeat-timeout = 20s
              lease-operation-timeout = 5s
            }
            """, HoconAddMode.Prepend);
        if (options.IsCoordinator)
        {
            var database = new Journal.JournalDatabase(options.Journal);
            akka.WithActors((system, _, _) => system.ActorOf(Props.Create(() => new Journal.JournalKeeper(database)), ClusterNames.JournalKeeperActor))
                .AddStartup((system, _) => Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => Journal.JournalIdentityCheck.Start(system, database)));
        }
        return akka;
    }

    /// <summary>
    /// The cluster port: plain TCP, or with a cluster certificate TLS where each end of every connection must present a
    /// certificate from the cluster's authority (a refused peer is logged with the reason, one line per attempt).
    /// </summary>
    private static RemoteOptions Remoting(NodeOptions options)
    {
        if (options.Certificate is not { } certificate) return new RemoteOptions { HostName = options.Host, Port = options.Port };
        return new RemoteOptions
        {
            HostName = options.Host,
            Port = options.Port,
            EnableSsl = true,
            Ssl = new SslOptions
            {
                X509Certificate = certificate.Node,
                RequireMutualAuthentication = true,
                // Membership is the authority's signature, not a name: nodes connect by IP address and move between hosts.
                ValidateCertificateHostname = false,
                CustomValidator = (peer, _, remote, _, log) =>
                {
                    if (certificate.Accepts(peer, out var why)) return true;
                    log.Warning("refused a cluster connection from {0}: {1}", remote, why);
                    return false;
                },
            },
        };
    }

    /// <summary>The actor system of one node: remoting, clustering with the split-brain resolver, the serializer, and its roles' actors.</summary>
    /// <param name="runner">What a worker node runs trials with; a coordinator-only node needs none.</param>
    public static IServiceCollection AddSweepNode(this IServiceCollection services, NodeOptions options, ITrialRunner? runner) =>
        services.AddAkka(ClusterNames.SystemName, (akka, _) =>
        {
            akka.ConfigureLoggers(loggers =>
                {
                    // Through Microsoft.Extensions.Logging, whose console output the host sends to stderr.
                    loggers.LogLevel = options.LogLevel;
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithRemoting(Remoting(options))
                .WithClustering(new ClusterOptions
                {
                    Roles = [.. options.Roles],
                    SeedNodes = [.. options.SeedNodes.Select(seed => NodeAddress.Normalize(seed, options.Certificate is not null))],
                    // A node of `node start` keeps the side holding the journal's lease; the single-process cluster has no other side.
                    SplitBrainResolver = options.Journal is JournalOptions.InMemory ? new KeepMajorityOption() : null,
                    // Training keeps every core busy; a worker whose heartbeats are late by a few seconds is busy, not gone.
                    FailureDetector = new PhiAccrualFailureDetectorOptions { AcceptableHeartbeatPause = options.HeartbeatPause },
                })
                .AddHocon($"akka.cluster.split-brain-resolver.stable-after = {(int)options.DownAfter.TotalMilliseconds}ms", HoconAddMode.Prepend)
                .WithSweepSerializer();
            if (options.Journal is not JournalOptions.InMemory) akka.WithJournalLease(options);
            if (options.IsCoordinator)
                akka.WithSweepJournal(options.Journal)
                    .WithSweepCoordinator(CoordinatorOptions.Default(options.RunsDirectory) with
                    {
                        KeepEndedSweeps = options.Journal is JournalOptions.InMemory,
                        WarmStartAnywhere = options.Journal is JournalOptions.InMemory,
                    })
                    .WithModelRegistry();
            else akka.WithSweepCoordinatorProxy().WithModelRegistryProxy();
            var codeFolder = Code.CodeStore.FolderBeside(options.RunsDirectory);
            akka.WithActors((system, _, _) => system.ActorOf(Props.Create(() => new Code.CodeStore(codeFolder)), ClusterNames.CodeStoreActor));
            if (options.IsWorker) akka.WithSweepWorker(options.Worker, runner ?? throw new ArgumentNullException(nameof(runner), "a worker node needs a trial runner"));
            akka.AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                var registration = SweepTelemetry.ObserveMembers(system,
                    () => cluster.State.Members.SelectMany(m => m.Roles.Select(role => (Status: m.Status.ToString().ToLowerInvariant(), Role: role)))
                        .GroupBy(x => x).Select(g => new Measurement<long>(g.Count(), new KeyValuePair<string, object?>("status", g.Key.Status), new KeyValuePair<string, object?>("role", g.Key.Role))),
                    () => [new Measurement<long>(cluster.State.Unreachable.Count, new KeyValuePair<string, object?>("node", cluster.SelfAddress.ToString()))]);
                system.WhenTerminated.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
            });
            if (options.LeaveAt is { } leaveAt)
            {
                akka.AddStartup((system, _) =>
                {
                    var delay = leaveAt - DateTimeOffset.Now;
                    system.Log.Info("this node leaves the cluster at {0:O} (in {1:0} s)", leaveAt, Math.Max(0, delay.TotalSeconds));
                    system.Scheduler.Advanced.ScheduleOnce(delay > TimeSpan.Zero ? delay : TimeSpan.Zero,
                        () => Akka.Actor.CoordinatedShutdown.Get(system).Run(Akka.Actor.CoordinatedShutdown.ClusterLeavingReason.Instance));
                });
            }
            if (options.Bootstrap is { } bootstrap) akka.WithSweepBootstrap(bootstrap, options.Host);
            else if (options.SeedNodes.IsEmpty)
            {
                // No seed nodes: this node founds the cluster (and the port may have been picked only now).
                akka.AddStartup((system, _) =>
                {
                    var cluster = Akka.Cluster.Cluster.Get(system);
                    cluster.Join(cluster.SelfAddress);
                });
            }
        });
}
