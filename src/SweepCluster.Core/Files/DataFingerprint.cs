using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace SweepCluster.Core.Files;

/// <summary>
/// What a data folder held when a trial read it: one SHA-256 over every file's relative path, size and content hash, so that
/// two trials' data are the same exactly when their fingerprints are. Hashed once per process while no file's size or time
/// changes (a data folder can be gigabytes).
/// </summary>
/// <param name="Folder">The folder, as the node that read it names it.</param>
/// <param name="Sha256">The fingerprint.</param>
public sealed record DataFingerprint(string Folder, string Sha256, int Files, long Bytes)
{
    private static readonly ConcurrentDictionary<string, (string Listing, DataFingerprint Fingerprint)> Known = new();

    /// <summary>The fingerprint of <paramref name="folder"/>; null when it is not a folder this process can read.</summary>
    public static DataFingerprint? Of(string folder)
    {
        var root = Path.GetFullPath(folder);
        try
        {
            if (!Directory.Exists(root)) return null;
            var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Select(f => new FileInfo(f)).Where(f => f.LinkTarget is null)
                .OrderBy(f => f.FullName, StringComparer.Ordinal).ToList();
            // Sizes and times say whether the files changed since they were hashed; only then are they read again.
            var listing = string.Join("\n", files.Select(f => $"{f.FullName}\t{f.Length}\t{f.LastWriteTimeUtc.Ticks}"));
            if (Known.TryGetValue(root, out var known) && known.Listing == listing) return known.Fingerprint;
            var text = new StringBuilder();
            foreach (var file in files)
            {
                using var stream = file.OpenRead();
                text.Append(Path.GetRelativePath(root, file.FullName).Replace('\\', '/')).Append('\t').Append(file.Length).Append('\t')
                    .Append(Convert.ToHexStringLower(SHA256.HashData(stream))).Append('\n');
            }
            var fingerprint = new DataFingerprint(root, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))), files.Count,
                files.Sum(f => f.Length));
            Known[root] = (listing, fingerprint);
            return fingerprint;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
