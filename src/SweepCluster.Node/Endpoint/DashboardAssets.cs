using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace SweepCluster.Node.Endpoint;

/// <summary>
/// The dashboard's files, embedded into the node at build time (the project's page, script and styles, and uPlot from npm):
/// <c>GET /</c> is the page, <c>GET /dashboard/NAME</c> the rest, through ASP.NET Core's static files (validators, 304s,
/// HEAD). Nothing is fetched from elsewhere at run time.
/// </summary>
internal static class DashboardAssets
{
    private static readonly ManifestEmbeddedFileProvider Files = new(typeof(DashboardAssets).Assembly, "Dashboard");

    private static readonly FileExtensionContentTypeProvider ContentTypes = new(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    });

    public static void Map(WebApplication app)
    {
        app.UseStaticFiles(new StaticFileOptions { FileProvider = Files, RequestPath = "/dashboard", ContentTypeProvider = ContentTypes });
        var page = Files.GetFileInfo("index.html");
        app.MapGet("/", () => Results.Stream(page.CreateReadStream(), "text/html; charset=utf-8", lastModified: page.LastModified));
    }
}
