using System.Collections.Immutable;
using System.Security.Cryptography;
using SweepCluster.Core.Models;

namespace SweepCluster.Cluster.Worker;

/// <summary>
/// Registered versions' files on the worker that ran their trials: copied out of the trial's folder into the model store
/// (<c>STORE/models/NAME/RUN-trial-NNNN</c>, beside the runs folder) with a SHA-256 per file, so that cleaning the runs folder
/// does not lose a registered model, and served a chunk at a time to nodes that load it. Only files inside the store are served.
/// </summary>
internal sealed class ModelArchive(string runsDirectory, TrialArtifacts trials)
{
    private readonly string _root = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(runsDirectory))!, "models");

    public ModelArchived Archive(ArchiveModel request)
    {
        if (ModelRegistryState.NameProblem(request.Name) is { } problem) return new ModelArchived("", [], problem);
        var listed = trials.List(request.TrialFolder);
        if (listed.Error is { } error) return new ModelArchived("", [], error);
        var folder = $"{request.Name}/{request.TrialFolder.Replace('/', '-')}";
        var target = Path.Combine(_root, folder);
        try
        {
            var files = ImmutableArray.CreateBuilder<ModelFile>();
            // Checkpoints are for resuming the trial, not for using its model.
            foreach (var file in listed.Files.Where(f => !f.Path.StartsWith("checkpoint/", StringComparison.Ordinal)))
            {
                var destination = Path.Combine(target, file.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(Path.Combine(listed.Directory, file.Path), destination, overwrite: true);
                using var stream = File.OpenRead(destination);
                files.Add(new ModelFile(file.Path, stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream))));
            }
            return new ModelArchived(folder, files.ToImmutable(), files.Count == 0 ? $"{listed.Directory} holds no files to register" : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ModelArchived(folder, [], $"cannot copy the trial's files into {target}: {e.Message}");
        }
    }

    public ArtifactRead Read(ReadModelFile request)
    {
        var path = Path.GetFullPath(Path.Combine(_root, request.Folder, request.Path));
        if (Path.IsPathRooted(request.Folder) || Path.IsPathRooted(request.Path) || !path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return new ArtifactRead([], true, $"'{request.Folder}/{request.Path}' is not a file of the model store");
        try
        {
            var (data, length) = FileChunks.Read(path, request.Offset);
            return new ArtifactRead(data, Math.Min(request.Offset, length) + data.Length >= length, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ArtifactRead([], true, $"cannot read {path}: {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}");
        }
    }
}
