using System.Net;
using System.Text.Json;

namespace SweepCluster.Cli.Remote;

/// <summary>
/// Fetches a trial's files into a local folder through one node's endpoint, which reads them from the worker that holds
/// them. Each file is checked against the size the worker listed: a file cut short is an error, never a silent partial copy.
/// </summary>
internal sealed class ArtifactDownload(HttpClient http)
{
    /// <param name="files">The <c>files</c> of a <c>sweep artifacts</c> answer: path and size of each.</param>
    /// <returns>How many files and bytes were written.</returns>
    /// <exception cref="IOException">A file could not be fetched or written; the message names it.</exception>
    public async Task<(int Files, long Bytes)> SaveAsync(string sweep, int index, JsonElement files, string folder, CancellationToken cancellation)
    {
        var root = Path.GetFullPath(folder);
        var (count, bytes) = (0, 0L);
        foreach (var file in files.EnumerateArray())
        {
            var path = file.GetProperty("path").GetString()!;
            var size = file.GetProperty("size").GetInt64();
            var target = Path.GetFullPath(Path.Combine(root, path));
            if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new IOException($"the node listed '{path}', which is not inside {root}");
            var url = $"api/artifacts/{Uri.EscapeDataString(sweep)}/{index}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellation);
            if (response.StatusCode != HttpStatusCode.OK) throw new IOException($"cannot fetch {path}: {await Reason(response, cancellation)}");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            long written;
            try
            {
                await using (var source = await response.Content.ReadAsStreamAsync(cancellation))
                await using (var destination = File.Create(target))
                {
                    await source.CopyToAsync(destination, cancellation);
                    written = destination.Length;
                }
            }
            catch (HttpRequestException e)
            {
                throw new IOException($"{path} was cut short: {e.Message}", e);
            }
            if (written != size) throw new IOException($"{path}: got {written} of its {size} bytes");
            (count, bytes) = (count + 1, bytes + written);
        }
        return (count, bytes);
    }

    private static async Task<string> Reason(HttpResponseMessage response, CancellationToken cancellation)
    {
        var body = await response.Content.ReadAsStringAsync(cancellation);
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.GetProperty("error").GetString() ?? body;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
    }
}
