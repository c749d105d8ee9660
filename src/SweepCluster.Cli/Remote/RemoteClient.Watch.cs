using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace SweepCluster.Cli.Remote;

// sweep watch: the sweep's progress as the node pushes it (server-sent events from GET /api/sweeps/ID/events), or, from a node of
// a release before it pushed, asked for every half second.
internal sealed partial class RemoteClient
{
    private static readonly TimeSpan AskEvery = TimeSpan.FromMilliseconds(500);

    /// <summary>The sweep's status, shown live until it ends: exit 0 when it completed, 1 when it was cancelled or none of its trials completed.</summary>
    private async Task<int> Watch(Dictionary<string, string> switches, Action<IReadOnlyList<string>> show, TimeSpan patience, CancellationToken cancellation)
    {
        try
        {
            return await WatchPushed(switches["id"], show, patience, cancellation) ?? await WatchAsked(switches, show, patience, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>
    /// Shows each status the node pushes. A stream that breaks (the node restarts, a proxy cuts it) is opened again, and the node
    /// sends the status at once: nothing is missed. Gives up after <paramref name="patience"/> without an event.
    /// </summary>
    /// <returns>The exit code, or null when the node does not push.</returns>
    private async Task<int?> WatchPushed(string id, Action<IReadOnlyList<string>> show, TimeSpan patience, CancellationToken cancellation)
    {
        var quiet = Stopwatch.StartNew();
        var noticed = false;
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync($"api/sweeps/{Uri.EscapeDataString(id)}/events", HttpCompletionOption.ResponseHeadersRead, cancellation);
                if (response.StatusCode == HttpStatusCode.Unauthorized) throw new HttpRequestException("unauthorized", null, HttpStatusCode.Unauthorized);
                var mediaType = response.Content.Headers.ContentType?.MediaType;
                if (response.StatusCode == HttpStatusCode.NotFound && mediaType != "application/json") return null;
                if (mediaType == "text/event-stream")
                {
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation));
                    await foreach (var (name, data) in Events(reader, cancellation))
                    {
                        quiet.Restart();
                        if (name != "status") continue;
                        using var document = JsonDocument.Parse(data);
                        if (Shown(document.RootElement, show) is { } exitCode) return exitCode;
                    }
                }
                else if (response.StatusCode != HttpStatusCode.ServiceUnavailable || quiet.Elapsed >= patience)
                {
                    using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellation));
                    return Print(response.StatusCode, document, json: false);
                }
            }
            catch (Exception e) when (e is HttpRequestException { StatusCode: null } or IOException && quiet.Elapsed < patience)
            {
                // The node went away mid-stream: connect again.
            }
            if (!noticed) error.WriteLine($"the node does not send sweep {id}'s progress now; asking again for up to {patience.TotalSeconds:0} s");
            noticed = true;
            await Task.Delay(RetryInterval, cancellation);
        }
    }

    /// <summary>Asks for the status every half second: what a node that does not push is watched with.</summary>
    private async Task<int> WatchAsked(Dictionary<string, string> switches, Action<IReadOnlyList<string>> show, TimeSpan patience, CancellationToken cancellation)
    {
        while (true)
        {
            var (status, document) = await Post("sweep", "status", switches, null, patience, cancellation);
            using (document)
            {
                if (status != HttpStatusCode.OK) return Print(status, document, json: false);
                if (Shown(document.RootElement, show) is { } exitCode) return exitCode;
            }
            await Task.Delay(AskEvery, cancellation);
        }
    }

    /// <summary>Shows a status answer; the exit code once the sweep has ended, else null.</summary>
    private int? Shown(JsonElement root, Action<IReadOnlyList<string>> show)
    {
        show(root.GetProperty("text").GetString()!.TrimEnd('\n').Split('\n'));
        var data = root.GetProperty("data");
        var state = data.GetProperty("state").GetString();
        if (state is "completed" && data.GetProperty("summary") is var summary && summary.GetProperty("completed").GetInt32() == 0 && data.GetProperty("done").GetInt32() > 0)
        {
            var firstFailure = root.GetProperty("text").GetString()!.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("trial ", StringComparison.Ordinal) && l.Contains(" failed: ", StringComparison.Ordinal));
            error.WriteLine($"sweepctl: no trial of sweep {data.GetProperty("id").GetString()} completed ({summary.GetProperty("failed").GetInt32()} failed, "
                + $"{summary.GetProperty("pruned").GetInt32()} pruned){(firstFailure is null ? "" : "; " + firstFailure)}");
            return ExitCodes.Failed;
        }
        if (state is "completed") return ExitCodes.Ok;
        if (state is "cancelled" && data.TryGetProperty("stopped_because", out var why))
            error.WriteLine($"sweepctl: sweep {data.GetProperty("id").GetString()} stopped: {why.GetString()}");
        return state is "cancelled" ? ExitCodes.Failed : null;
    }

    /// <summary>Server-sent events as the HTML standard parses them: <c>event:</c> and <c>data:</c> lines up to a blank line; comments skipped.</summary>
    private static async IAsyncEnumerable<(string Name, string Data)> Events(StreamReader reader, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var (name, data) = ("message", new StringBuilder());
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) yield return (name, data.ToString());
                (name, data) = ("message", new StringBuilder());
                continue;
            }
            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':');
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..]);
            if (value.StartsWith(' ')) value = value[1..];
            if (field == "event") name = value;
            else if (field == "data") data.Append(data.Length > 0 ? "\n" : "").Append(value);
        }
    }
}
