using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
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

    public static void Map(WebApplication app, int? managementPort)
    {
        // Live while the actor system runs; ready once this node is an up member of the cluster.
        app.MapGet(LivePath, (ActorSystem system) => system.WhenTerminated.IsCompleted
            ? Results.Json(new { status = "terminated" }, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(new { status = "live" }));
        app.MapGet(ReadyPath, (ActorSystem system) =>
        {
            var member = Akka.Cluster.Cluster.Get(system).SelfMember.Status;
            return Results.Json(new { status = member == MemberStatus.Up ? "ready" : "not ready", member = member.ToString().ToLowerInvariant() },
                statusCode: member == MemberStatus.Up ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        if (managementPort is { } port) app.MapGet(SeedNodesPath, (HttpContext context) => SeedNodes(context.RequestServices.GetRequiredService<ActorSystem>()))
            .RequireHost($"*:{port}");
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
