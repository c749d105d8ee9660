using System.Collections.Concurrent;
using System.Security.Cryptography;
using Akka.Actor;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Registry;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Models;
using SweepCluster.Training.Inference;

namespace SweepCluster.Node.Serving;

/// <summary>
/// The registered versions this node has loaded to serve: each fetched once from the worker that keeps it (model.json and
/// its weights, checked against the registered SHA-256) into <c>STORE/served/NAME/VERSION</c>, then kept loaded. A version's
/// files never change, so a loaded version never goes stale; which version a stage names is asked of the registry each time.
/// </summary>
internal sealed class ServedModels(ActorSystem system, string storeFolder) : IDisposable
{
    private readonly ConcurrentDictionary<(string, int), Lazy<Task<TrainedModel>>> _loaded = new();

    /// <summary>How long an answer of the registry's is reused: a promotion reaches every request within this.</summary>
    public static readonly TimeSpan ResolutionKept = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (ModelVersion Version, long At)> _resolved = new();

    public PredictionBatcher Batcher { get; } = new();

    /// <summary>The version a reference names, as the registry said it within <see cref="ResolutionKept"/>; else asked again.</summary>
    public async Task<ModelAnswer> Resolve(string reference, Func<Task<ModelAnswer>> ask)
    {
        if (_resolved.TryGetValue(reference, out var known) && System.Diagnostics.Stopwatch.GetElapsedTime(known.At) < ResolutionKept) return ModelAnswer.Of(known.Version);
        var answer = await ask();
        if (answer.Version is { } version) _resolved[reference] = (version, System.Diagnostics.Stopwatch.GetTimestamp());
        return answer;
    }

    /// <summary>The version loaded; a failed load (its worker away) is forgotten, so that the next request tries again.</summary>
    public async Task<TrainedModel> Get(ModelVersion version)
    {
        var key = (version.Name, version.Version);
        var loading = _loaded.GetOrAdd(key, _ => new Lazy<Task<TrainedModel>>(() => Load(version)));
        try
        {
            return await loading.Value;
        }
        catch
        {
            _loaded.TryRemove(KeyValuePair.Create(key, loading));
            throw;
        }
    }

    private async Task<TrainedModel> Load(ModelVersion version)
    {
        var folder = Path.Combine(storeFolder, version.Name, version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var worker = system.ActorSelection($"{version.Registered.Node}/user/{ClusterNames.WorkerActor}");
        foreach (var file in version.Registered.Files.Where(f => TrainedModel.Files.Contains(f.Path)))
        {
            var target = Path.Combine(folder, file.Path);
            if (File.Exists(target) && Sha256(target) == file.Sha256) continue;
            await using (var output = File.Create(target))
            {
                for (long offset = 0; ;)
                {
                    var chunk = await worker.Ask<ArtifactRead>(new ReadModelFile(version.Registered.Folder, file.Path, offset), TimeSpan.FromSeconds(10));
                    if (chunk.Error is { } error) throw new IOException($"{version.Registered.Node}: {error}");
                    await output.WriteAsync(chunk.Data);
                    offset += chunk.Data.Length;
                    if (chunk.End) break;
                }
            }
            if (Sha256(target) is var hash && hash != file.Sha256)
                throw new IOException($"{version.Name}:{version.Version}'s {file.Path} arrived with SHA-256 {hash}, not the registered {file.Sha256}");
        }
        return TrainedModel.Load(folder);
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public void Dispose()
    {
        Batcher.Dispose();
        foreach (var loaded in _loaded.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully)) loaded.Value.Result.Dispose();
    }
}
