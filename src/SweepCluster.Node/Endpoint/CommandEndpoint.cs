using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SweepCluster.Core.Json;

namespace SweepCluster.Node.Endpoint;

/// <param name="Token">Required as a bearer token on every request when set; it must be when <paramref name="Host"/> is not loopback.</param>
/// <param name="CodeFolder">Where the node keeps the code packages submitted through it (<c>STORE/code</c>).</param>
public sealed record EndpointOptions(string Host, int Port, string? Token, string CodeFolder = "store/code")
{
    /// <summary>The token's environment variable, read by nodes and sent by the client.</summary>
    public const string TokenVariable = "SWEEP_CMD_TOKEN";

    /// <summary>Where <c>sweep submit</c> sends the code folder's package before the experiment: <c>PUT /api/code/HASH</c>.</summary>
    public const string CodeRoute = "/api/code/{hash}";

    /// <summary><c>sweep submit</c>'s switch that names the package sent first.</summary>
    public const string CodePackageSwitch = "code-package";

    public bool IsLoopback => Host is "localhost" || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));
}

/// <summary>
/// The node's command endpoint: HTTP with JSON bodies, so that curl works too. <c>GET /api/palettes</c> describes
/// the palettes; <c>POST /api/{palette}/{command}</c> with <c>{"switches": {...}}</c> runs one.
/// </summary>
internal static class CommandEndpoint
{
    public const long MaxRequestBytes = 1 << 20;

    private sealed record CommandRequest(Dictionary<string, string>? Switches, string? Source);

    /// <param name="managementPort">Cluster bootstrap's port, when the node serves one: only the probes answer there.</param>
    public static void Map(WebApplication app, EndpointOptions options, int? managementPort = null)
    {
        var tokenCookie = $"sweep_token_{options.Port}"; // a cookie is shared by every port of a host: each node's is its own
        if (options.Token is { } token) app.Use(async (context, next) =>
        {
            // A browser opens the dashboard once with ?token=...; the cookie set then carries the token to its images and links.
            var request = context.Request;
            var given = request.Headers.Authorization.ToString() is { Length: > 0 } header && header.StartsWith(BearerScheme, StringComparison.Ordinal)
                ? header[BearerScheme.Length..]
                : request.Cookies[tokenCookie] ?? request.Query["token"].ToString();
            if (!NodeProbes.IsProbe(request.Path) && !Matches(given, token))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(new { error = "unauthorized: send the node's token as a bearer token (sweepctl reads SWEEP_CMD_TOKEN), or open the dashboard at /?token=TOKEN" });
                return;
            }
            if (request.Query.ContainsKey("token"))
                context.Response.Cookies.Append(tokenCookie, given, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            await next();
        });
        RequestGuard.Use(app, options, managementPort);
        DashboardAssets.Map(app);
        app.MapGet("/api/palettes", () => Results.Json(new { palettes = Palettes.All }, SweepJson.Options));
        SweepEvents.Map(app);
        // A trial's file, from the worker that holds it: what sweep artifacts --out and sweep best --out fetch.
        app.MapGet("/api/artifacts/{id}/{index}/{**path}", async (string id, string index, string path, HttpContext context) =>
        {
            try
            {
                return await Handlers(context).SendArtifact(id, index, path, context) is { } refusal ? Respond(refusal) : Results.Empty;
            }
            catch (AskTimeoutException)
            {
                return Respond(CoordinatorUnavailable);
            }
        });
        // A registered version's file, from the worker that keeps it: what `predict NAME@STAGE` fetches.
        app.MapGet("/api/models/{name}/{version}/{**path}", async (string name, string version, string path, HttpContext context) =>
        {
            try
            {
                return await Handlers(context).SendModelFile(name, version, path, context) is { } refusal ? Respond(refusal) : Results.Empty;
            }
            catch (AskTimeoutException)
            {
                return Respond(CoordinatorUnavailable);
            }
        });
        app.MapPut(EndpointOptions.CodeRoute, async (string hash, HttpContext context) =>
        {
            if (!Cluster.Code.CodeStore.IsHash(hash)) return Respond(CommandResult.Invalid($"'{hash}' is not a code package's hash (64 lower-case hex digits of its SHA-256)"));
            context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = Core.Code.CodePackage.MaxBytes;
            using var body = new MemoryStream();
            try
            {
                await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return Respond(CommandResult.Invalid($"a code package is at most {Core.Code.CodePackage.MaxBytes >> 20} MiB") with { Status = HttpStatusCode.RequestEntityTooLarge });
            }
            var zip = body.ToArray();
            try
            {
                if (!Cluster.Code.CodeStore.Keep(options.CodeFolder, hash, zip))
                    return Respond(CommandResult.Invalid($"the package's bytes do not hash to {hash}: it was damaged on the way, or named wrongly"));
                return Respond(CommandResult.Ok(new { hash, files = Core.Code.CodePackage.List(zip).Count }, $"{hash}\n"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.IO.InvalidDataException)
            {
                return Respond(CommandResult.Failed($"cannot keep the code package in {options.CodeFolder}: {e.Message}"));
            }
        });
        app.MapPost("/api/{palette}/{command}", async (string palette, string command, HttpContext context) =>
        {
            if (Palettes.Find(palette, command) is not { } description)
                return Respond(CommandResult.Invalid($"no command '{palette} {command}'; GET /api/palettes lists them") with { Status = HttpStatusCode.NotFound });
            CommandRequest? request;
            try
            {
                request = await JsonSerializer.DeserializeAsync<CommandRequest>(context.Request.Body, SweepJson.Options, context.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return Respond(CommandResult.Invalid($"the request body is larger than {MaxRequestBytes >> 20} MiB") with { Status = HttpStatusCode.RequestEntityTooLarge });
            }
            catch (Exception e) when (e is JsonException or BadHttpRequestException)
            {
                return Respond(CommandResult.Invalid($"the request body is not a command: {e.Message}"));
            }
            var (input, problem) = CommandInput.Bind(palette, description, request?.Switches ?? [], request?.Source);
            if (input is null) return Respond(CommandResult.Invalid(problem!));
            try
            {
                return Respond(await Palettes.Run(palette, command, Handlers(context), input)!);
            }
            catch (AskTimeoutException)
            {
                return Respond(CoordinatorUnavailable);
            }
        });
    }

    internal static readonly CommandResult CoordinatorUnavailable =
        CommandResult.Unavailable("the coordinator did not answer within 10 s: is a node with the coordinator role up? (cluster show)");

    internal static CommandHandlers Handlers(HttpContext context) =>
        new(context.RequestServices.GetRequiredService<ActorSystem>(), context.RequestServices.GetRequiredService<ActorRegistry>(),
            context.RequestServices.GetRequiredService<EndpointOptions>().CodeFolder);

    internal static IResult Respond(CommandResult result) => Results.Text(result.ToJson(), "application/json", Encoding.UTF8, (int)result.Status);

    private const string BearerScheme = "Bearer ";

    private static bool Matches(string given, string token) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token));
}
