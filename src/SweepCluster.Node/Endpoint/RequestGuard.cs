using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SweepCluster.Node.Endpoint;

/// <summary>
/// What keeps a web page on another origin from driving a node through the user's browser (a submit runs programs on the
/// workers): a state change must come as <c>application/json</c>, which a form or a <c>no-cors</c> request cannot send
/// without a preflight the node never answers, and from the node's own origin when the browser names one; a node without a
/// token answers only to a loopback <c>Host</c>, so that a name rebound to 127.0.0.1 reaches nothing. Every answer carries
/// headers that keep it out of frames and from being sniffed as another type.
/// </summary>
internal static class RequestGuard
{
    /// <param name="managementPort">Cluster bootstrap's port, open to the other nodes without a token: it serves the probes and nothing else.</param>
    public static void Use(WebApplication app, EndpointOptions options, int? managementPort) => app.Use(async (context, next) =>
    {
        var (request, headers) = (context.Request, context.Response.Headers);
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        if (NodeProbes.IsProbe(request.Path))
        {
            await next();
            return;
        }
        if (context.Connection.LocalPort == managementPort && managementPort != options.Port)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsJsonAsync(new
            {
                error = $"the management port serves only {NodeProbes.LivePath}, {NodeProbes.ReadyPath} and {NodeProbes.SeedNodesPath}; "
                + $"commands, the dashboard and /metrics are on the command port ({options.Port})"
            });
            return;
        }
        if (Refusal(request, options) is { } refusal)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(new { error = refusal });
            return;
        }
        await next();
    });

    /// <summary>Why the request is refused, or null.</summary>
    public static string? Refusal(HttpRequest request, EndpointOptions options)
    {
        if (options.Token is null && !IsLoopbackHost(request.Host.Host))
            return $"forbidden: this node has no token and answers only to a loopback address (127.0.0.1, localhost), not to Host '{request.Host}'; "
                + "give it a token (SWEEP_CMD_TOKEN) to serve other names";
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) return null;
        if (request.Headers.Origin.ToString() is { Length: > 0 } origin && !SameOrigin(origin, request))
            return $"forbidden: a request from the page at {origin} may not change this node; use sweepctl, curl, or the node's own dashboard";
        // Not a type a form or a no-cors fetch can send: a browser asks first (a preflight), and this node never says yes.
        return request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() is "application/json" or "application/zip" or "application/x-hdf5"
            ? null
            : $"forbidden: commands are sent as Content-Type: application/json (a shower file to predict as application/x-hdf5; got '{request.ContentType}')";
    }

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The page's origin is the node itself: same scheme (compared as the URL standard does, case-insensitively), host and port.</summary>
    private static bool SameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var page)
        && page.Scheme.Equals(request.Scheme, StringComparison.OrdinalIgnoreCase)
        && page.Authority.Equals(request.Host.Value, StringComparison.OrdinalIgnoreCase);
}
