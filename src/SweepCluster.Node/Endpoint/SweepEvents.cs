using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Core.Results;

namespace SweepCluster.Node.Endpoint;

/// <summary>
/// <c>GET /api/sweeps/ID/events</c>: a sweep's progress pushed as server-sent events, each a <c>status</c> event holding what
/// <c>sweep status</c> answers (<c>{"data", "text"}</c>), sent when the coordinator says the sweep changed (at most every 200 ms),
/// at once on connecting and after a coordinator failover (the catch-up), and every 15 s regardless; an <c>end</c> event follows
/// the status of an ended sweep, and the stream closes. What <c>sweep watch</c> reads instead of asking again and again.
/// </summary>
internal static class SweepEvents
{
    public const string Route = "/api/sweeps/{id}/events";
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(15);
    /// <summary>Streams a node keeps open at once: each asks the coordinator for a status on every change, so a flood of them would slow it for every sweep.</summary>
    public const int MaxStreams = 256;
    private static int _open;

    public static void Map(WebApplication app) => app.MapGet(Route, async (string id, HttpContext context) =>
    {
        var handlers = CommandEndpoint.Handlers(context);
        var input = new CommandInput(new Dictionary<string, string> { ["id"] = id }, source: null);
        var status = await StatusOrNull(handlers, input);
        if (status is null || status.Status != HttpStatusCode.OK) return CommandEndpoint.Respond(status ?? CommandEndpoint.CoordinatorUnavailable);
        if (Interlocked.Increment(ref _open) > MaxStreams)
        {
            Interlocked.Decrement(ref _open);
            return CommandEndpoint.Respond(CommandResult.Unavailable($"this node already streams {MaxStreams} sweeps' progress: close one, or ask sweep status"));
        }
        try
        {
            await Stream(context, id, status, handlers, input);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
        return Results.Empty;
    });

    private static async Task Stream(HttpContext context, string id, CommandResult? status, CommandHandlers handlers, CommandInput input)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var aborted = context.RequestAborted;
        var system = context.RequestServices.GetRequiredService<ActorSystem>();
        using var changes = new SweepChanges(system, context.RequestServices.GetRequiredService<ActorRegistry>().Get<SweepCoordinator>(), id);
        try
        {
            while (true)
            {
                if (status is not null)
                {
                    await Send(response, "status", status.ToJson(), aborted);
                    if (status.Data is SweepStatusDocument { State: not SweepStatus.Running and not SweepStatus.Pending })
                    {
                        await Send(response, "end", "{}", aborted);
                        return;
                    }
                }
                else await Send(response, null, "the coordinator does not answer: one takes over after a failure", aborted);
                // Without a word within the interval the status is sent again all the same (which keeps proxies from closing the stream).
                await changes.NextAsync(RefreshEvery, aborted);
                status = await StatusOrNull(handlers, input);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    /// <summary>The sweep's status, or null while no coordinator answers.</summary>
    private static async Task<CommandResult?> StatusOrNull(CommandHandlers handlers, CommandInput input)
    {
        try
        {
            return await handlers.Status(input);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>One event; with no name, a comment line that clients skip.</summary>
    private static async Task Send(HttpResponse response, string? name, string data, CancellationToken cancellation)
    {
        var text = name is null ? $": {data}\n\n" : $"event: {name}\ndata: {data.Replace("\n", "\ndata: ", StringComparison.Ordinal)}\n\n";
        await response.WriteAsync(text, Encoding.UTF8, cancellation);
        await response.Body.FlushAsync(cancellation);
    }
}
