namespace SweepCluster.Cluster.Worker;

/// <summary>
/// Reads trials' artifacts from a worker's runs folder for <see cref="ListArtifacts"/> and <see cref="ReadArtifact"/>:
/// only files inside a trial folder under that runs folder, whatever path a request names.
/// </summary>
internal sealed class TrialArtifacts(string runsDirectory)
{
    private readonly string _root = Path.GetFullPath(runsDirectory);

    public ArtifactsListed List(string trialFolder)
    {
        if (Resolve(trialFolder, null) is not { } directory) return Refused(trialFolder);
        if (!Directory.Exists(directory)) return new ArtifactsListed(directory, [], $"this worker has no folder {directory}");
        try
        {
            var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                .Where(f => !ThroughLink(directory, f))
                .Select(f => new ArtifactFile(Path.GetRelativePath(directory, f).Replace(Path.DirectorySeparatorChar, '/'), new FileInfo(f).Length))
                .OrderBy(f => f.Path, StringComparer.Ordinal);
            return new ArtifactsListed(directory, [.. files], null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ArtifactsListed(directory, [], $"cannot list {directory}: {e.Message}");
        }
    }

    public ArtifactRead Read(ReadArtifact request)
    {
        if (Resolve(request.TrialFolder, request.Path) is not { } file)
            return new ArtifactRead([], true, $"'{request.TrialFolder}/{request.Path}' is not a file of a trial folder");
        try
        {
            var (data, length) = FileChunks.Read(file, request.Offset);
            return new ArtifactRead(data, Math.Min(request.Offset, length) + data.Length >= length, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ArtifactRead([], true, $"cannot read {file}: {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}");
        }
    }

    private static ArtifactsListed Refused(string trialFolder) => new(trialFolder, [], $"'{trialFolder}' is not a trial folder (name-id/trial-NNNN)");

    /// <summary>The full path, when it lies inside a trial folder of the runs folder; null for anything else (<c>..</c>, a rooted path).</summary>
    private string? Resolve(string trialFolder, string? file)
    {
        if (Path.IsPathRooted(trialFolder) || (file is not null && Path.IsPathRooted(file))) return null;
        var folder = Path.GetFullPath(Path.Combine(_root, trialFolder));
        if (Path.GetRelativePath(_root, folder).Split(Path.DirectorySeparatorChar) is not [var sweep, var trial] || sweep == ".." || !trial.StartsWith("trial-", StringComparison.Ordinal))
            return null;
        if (file is null) return folder;
        var path = Path.GetFullPath(Path.Combine(folder, file));
        return path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !ThroughLink(folder, path) ? path : null;
    }

    /// <summary>
    /// The path, or a folder on the way to it from the trial's folder, is a link: what a trial (the user's program) linked may point
    /// anywhere on the worker's disk, and is never served.
    /// </summary>
    private static bool ThroughLink(string folder, string path)
    {
        for (var current = path; current.Length > folder.Length; current = Path.GetDirectoryName(current)!)
            if (new FileInfo(current).LinkTarget is not null) return true;
        return new DirectoryInfo(folder).LinkTarget is not null;
    }
}
