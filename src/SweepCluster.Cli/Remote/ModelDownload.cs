using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using SweepCluster.Core.Json;
using SweepCluster.Node.Endpoint;
using SweepCluster.Training.Inference;

namespace SweepCluster.Cli.Remote;

/// <summary>
/// A registered version's network (model.json and its weights) fetched through a node from the worker that keeps it, into a
/// folder here, each file checked against the SHA-256 the registry recorded: what <c>predict NAME@STAGE</c> runs.
/// </summary>
internal static class ModelDownload
{
    /// <exception cref="IOException">The node refused, a file is missing or arrived damaged: the message says which.</exception>
    public static async Task<ModelVersionDocument> FetchAsync(string address, string reference, string folder, CancellationToken cancellation)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{address}/"), Timeout = TimeSpan.FromMinutes(5) };
        if (Environment.GetEnvironmentVariable(EndpointOptions.TokenVariable) is { Length: > 0 } token)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.PostAsJsonAsync("api/model/show", new { switches = new Dictionary<string, string> { ["model"] = reference } }, SweepJson.Options, cancellation);
        if (response.StatusCode == HttpStatusCode.Unauthorized) throw new IOException($"{address}: unauthorized: set {EndpointOptions.TokenVariable} to the node's token");
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellation));
        if (response.StatusCode != HttpStatusCode.OK)
            throw new IOException($"{address}: {(answer.RootElement.TryGetProperty("error", out var e) ? e.GetString() : response.StatusCode.ToString())}");
        var version = answer.RootElement.GetProperty("data").Deserialize<ModelVersionDocument>(SweepJson.Options)!;
        foreach (var file in version.Files.Where(f => TrainedModel.Files.Contains(f.Path)))
        {
            var target = Path.Combine(folder, file.Path);
            using (var download = await http.GetAsync($"api/models/{Uri.EscapeDataString(version.Name)}/{version.Version}/{Uri.EscapeDataString(file.Path)}",
                HttpCompletionOption.ResponseHeadersRead, cancellation))
            {
                if (download.StatusCode != HttpStatusCode.OK)
                    throw new IOException($"{address}: {version.Name}:{version.Version}'s {file.Path} cannot be fetched ({(int)download.StatusCode}: {await download.Content.ReadAsStringAsync(cancellation)})");
                await using var output = File.Create(target);
                await download.Content.CopyToAsync(output, cancellation);
            }
            await using var written = File.OpenRead(target);
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(written, cancellation));
            if (hash != file.Sha256)
                throw new IOException($"{version.Name}:{version.Version}'s {file.Path} arrived with SHA-256 {hash}, not the registered {file.Sha256}: it changed on its worker or on the way");
        }
        return version;
    }
}
