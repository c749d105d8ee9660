using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace SweepCluster.Cluster.Hosting;

/// <summary>How one cluster node runs: its roles, address, seed nodes, and (for workers) what it offers.</summary>
/// <param name="Port">0 picks a free port (the embedded single-process cluster does so).</param>
/// <param name="SeedNodes">Addresses of nodes to join; none means this node starts a cluster of its own.</param>
/// <param name="RunsDirectory">Where the coordinator makes each sweep's run directory.</param>
/// <param name="Journal">Where the coordinator journals its sweeps; every coordinator node of a cluster must name the same one.</param>
/// <param name="HeartbeatPause">How late a node's heartbeats may be before it counts as unreachable: training keeps every core busy.</param>
/// <param name="DownAfter">How long the cluster waits, once the unreachable nodes stop changing, before it downs them and their trials go elsewhere.</param>
/// <param name="Bootstrap">Find the other nodes by discovery instead of <paramref name="SeedNodes"/>.</param>
/// <param name="Certificate">The node's proof of membership: with one, the cluster port speaks TLS and admits only nodes whose certificate the same authority issued.</param>
/// <param name="LeaveAt">When the node leaves the cluster by itself (before its SLURM allocation ends), its worker giving its running trials back first.</param>
public sealed record NodeOptions(
    ImmutableArray<string> Roles,
    string Host,
    int Port,
    ImmutableArray<string> SeedNodes,
    Worker.WorkerOptions Worker,
    string RunsDirectory,
    JournalOptions Journal,
    TimeSpan HeartbeatPause,
    TimeSpan DownAfter,
    Akka.Event.LogLevel LogLevel = Akka.Event.LogLevel.InfoLevel,
    DateTimeOffset? LeaveAt = null,
    BootstrapOptions? Bootstrap = null,
    ClusterCertificate? Certificate = null)
{
    public static readonly TimeSpan DefaultHeartbeatPause = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultDownAfter = TimeSpan.FromSeconds(20);

    public bool IsCoordinator => Roles.Contains(ClusterNames.CoordinatorRole);

    public bool IsWorker => Roles.Contains(ClusterNames.WorkerRole);
}

/// <summary>
/// Akka.Management's cluster bootstrap: nodes given no seed nodes ask a discovery method for the service's contact points
/// (every node's management port), and the lowest address forms the cluster once <paramref name="RequiredContactPoints"/> agree.
/// </summary>
/// <param name="Method"><see cref="ConfigMethod"/> (the contact points are listed) or <see cref="KubernetesMethod"/> (pods found through the API).</param>
/// <param name="ContactPoints">For <see cref="ConfigMethod"/>: every node's <c>host:management-port</c>.</param>
/// <param name="PodLabelSelector">For <see cref="KubernetesMethod"/>: the pods that are the service's nodes; <c>{0}</c> is the service name.</param>
public sealed record BootstrapOptions(string Method, string ServiceName, int ManagementPort, int RequiredContactPoints, ImmutableArray<string> ContactPoints,
    string PodLabelSelector = "app={0}")
{
    public const string ConfigMethod = "config";
    public const string KubernetesMethod = "kubernetes";
    public const int DefaultManagementPort = 8558;

    /// <summary>The management port's name: on Kubernetes, the container port that discovery looks for.</summary>
    public const string PortName = "management";
}

/// <summary>Where the coordinator journals its sweeps and keeps their snapshots.</summary>
public abstract record JournalOptions
{
    /// <summary>Nothing survives the process: <c>sweepctl run</c>, which has nothing to resume.</summary>
    public sealed record InMemory : JournalOptions;

    /// <summary>An embedded database file in the node's store; coordinator nodes on one machine share it.</summary>
    public sealed record Sqlite(string File) : JournalOptions;

    /// <summary>A PostgreSQL server, for coordinator nodes on several machines.</summary>
    public sealed record PostgreSql(string ConnectionString) : JournalOptions;
}

/// <summary>Cluster addresses as users write them: <c>akka.tcp://sweep@host:port</c> or plain <c>host:port</c>.</summary>
public static partial class NodeAddress
{
    /// <param name="tls">Whether the cluster's port speaks TLS (a cluster certificate): its addresses are <c>akka.ssl.tcp://</c>.</param>
    public static string Normalize(string address, bool tls)
    {
        var text = address.Trim();
        var scheme = tls ? "akka.ssl.tcp" : "akka.tcp";
        var full = FullAddress().Match(text);
        if (full.Success)
        {
            if (full.Groups[2].Value != ClusterNames.SystemName)
                throw new FormatException($"'{address}' names the actor system '{full.Groups[2].Value}'; SweepCluster's is '{ClusterNames.SystemName}'");
            if (full.Groups[1].Value != scheme)
                throw new FormatException($"'{address}' is a {full.Groups[1].Value} address, but this cluster's nodes {(tls ? "speak TLS (a cluster certificate)" : "have no cluster certificate")}: "
                    + $"write {scheme}://{ClusterNames.SystemName}@host:port, or plain host:port");
            return text;
        }
        if (HostPort().IsMatch(text)) return $"{scheme}://{ClusterNames.SystemName}@{text}";
        throw new FormatException($"'{address}' is not a node address: write host:port or {scheme}://{ClusterNames.SystemName}@host:port");
    }

    [GeneratedRegex(@"^(akka(?:\.ssl)?\.tcp)://([^@]+)@[^:/]+:\d{1,5}$")]
    private static partial Regex FullAddress();

    [GeneratedRegex(@"^[A-Za-z0-9.\-]+:\d{1,5}$")]
    private static partial Regex HostPort();
}
