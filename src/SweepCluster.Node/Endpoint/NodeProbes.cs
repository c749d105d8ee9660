using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Newtonsoft.Json;

namespace SweepCluster.Node.Endpoint;

/// <summary>
/// What other machines ask a node without its token: liveness and readiness for probes (Kubernetes, a load balancer), and
/// the cluster bootstrap contact point. None of them tells more than whether and where the node is a member.
/// </summary>
internal static class NodeProbes
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string SeedNodesPath = "/bootstrap/seed-nodes";

    public static bool IsProbe(PathString path) => path == LivePath || path == ReadyPath || path == SeedNodesPath;

    private const string LiveTag = "live";
    private const string ReadyTag = "ready";

    /// <summary>The probes' checks, run by the hosting's health checks: live while the actor system runs; ready once this node is an up member of the cluster.</summary>
    public static void AddChecks(IServiceCollection services) => services.AddHealthChecks()
        .AddCheck<ActorSystemRunning>("actor-system", tags: [LiveTag])
        .AddCheck<ClusterMemberUp>("cluster-member", tags: [ReadyTag]);

    public static void Map(WebApplication app, int? managementPort)
    {
        app.MapHealthChecks(LivePath, Answering(LiveTag, report => new { status = report.Status == HealthStatus.Healthy ? "live" : "terminated" }));
        app.MapHealthChecks(ReadyPath, Answering(ReadyTag, report => new
        {
            status = report.Status == HealthStatus.Healthy ? "ready" : "not ready",
            member = report.Entries.TryGetValue("cluster-member", out var entry) ? entry.Data.GetValueOrDefault("member") : null,
        }));
        if (managementPort is { } port) app.MapGet(SeedNodesPath, (HttpContext context) => SeedNodes(context.RequestServices.GetRequiredService<ActorSystem>()))
            .RequireHost($"*:{port}");
    }

    /// <summary>The checks tagged so, answered as the probes always have (503 when unhealthy).</summary>
    private static HealthCheckOptions Answering(string tag, Func<HealthReport, object> document) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = (context, report) => context.Response.WriteAsJsonAsync(document(report)),
    };

    private sealed class ActorSystemRunning(ActorSystem system) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellation = default) =>
            Task.FromResult(system.WhenTerminated.IsCompleted ? HealthCheckResult.Unhealthy("the actor system has terminated") : HealthCheckResult.Healthy());
    }

    private sealed class ClusterMemberUp(ActorSystem system) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellation = default)
        {
            var member = Akka.Cluster.Cluster.Get(system).SelfMember.Status;
            var data = new Dictionary<string, object> { ["member"] = member.ToString().ToLowerInvariant() };
            return Task.FromResult(member == MemberStatus.Up ? HealthCheckResult.Healthy(data: data) : HealthCheckResult.Unhealthy($"this node is {data["member"]}, not up", data: data));
        }
    }

    /// <summary>
    /// Cluster bootstrap's contact point, as Akka.Management serves it (the same document, so that its bootstrap reads it): this
    /// node's address and the cluster's reachable members. Akka.Management's own HTTP server cannot start with the Ceen.Httpd
    /// the package feed serves, so the node's endpoint answers for it on the management port.
    /// </summary>
    private static IResult SeedNodes(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        // A node that has not joined yet answers with no members: that is what lets the contact points form a new cluster.
        if (cluster.SelfMember.Status is MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Leaving)
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        var state = cluster.State;
        var members = state.Members.Where(m => !state.Unreachable.Contains(m) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
            .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles)).ToImmutableList();
        return Results.Content(JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(cluster.SelfMember.UniqueAddress.Address, members)), "application/json");
    }
}
