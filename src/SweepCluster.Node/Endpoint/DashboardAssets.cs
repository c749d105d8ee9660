using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SweepCluster.Node.Endpoint;

/// <summary>
/// The dashboard's files, embedded into the node at build time (the project's page, script and styles, and uPlot from npm):
/// <c>GET /</c> is the page, <c>GET /dashboard/NAME</c> the rest. Nothing is fetched from elsewhere at run time.
/// </summary>
internal static class DashboardAssets
{
    private static readonly Dictionary<string, string> ContentTypes = new()
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    public static void Map(WebApplication app)
    {
        app.MapGet("/", () => Asset("index.html"));
        app.MapGet("/dashboard/{name}", (string name) => Asset(name));
    }

    private static IResult Asset(string name)
    {
        var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream($"dashboard/{name}");
        return stream is null ? Results.NotFound() : Results.Stream(stream, ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream"));
    }
}
