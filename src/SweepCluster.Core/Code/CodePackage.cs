using System.IO.Compression;
using System.Security.Cryptography;

namespace SweepCluster.Core.Code;

/// <summary>
/// A sweep's code folder as one zip named by its content's hash: packed by <c>sweep submit</c>, kept by the node that received
/// it, fetched once per hash by each worker and unpacked into its cache. The same files always make the same bytes (entries in
/// order, fixed timestamps), so the same folder submitted twice is one package. What <c>.gitignore</c> and <c>.sweepignore</c>
/// name is left out, and so are <c>.git</c> and links.
/// </summary>
public static class CodePackage
{
    /// <summary>The largest package a submission may carry; a folder past it is refused with its largest files named.</summary>
    public const long MaxBytes = 64L << 20;

    private static readonly DateTimeOffset FixedTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The package of <paramref name="folder"/> and its hash; throws <see cref="CodePackageException"/> saying why it cannot be made.</summary>
    public static (byte[] Zip, string Hash) Pack(string folder, long maxBytes = MaxBytes)
    {
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root)) throw new CodePackageException($"the code folder {root} does not exist");
        var files = Files(root, IgnoreRules.Read(root)).ToList();
        var total = files.Sum(f => f.Length);
        if (total > maxBytes)
            throw new CodePackageException($"the code folder {root} holds {total >> 20} MiB to send with the sweep, more than the {maxBytes >> 20} MiB allowed; "
                + $"the largest files are {string.Join(", ", files.OrderByDescending(f => f.Length).Take(5).Select(f => $"{f.Path} ({f.Length >> 10} KiB)"))}: "
                + "name what the trials do not need in .sweepignore (as in .gitignore), or keep data out of the code folder (data: or --data)");
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in files)
            {
                var entry = zip.CreateEntry(file.Path, CompressionLevel.Optimal);
                entry.LastWriteTime = FixedTime;
                if (!OperatingSystem.IsWindows()) // the mode travels, so that a script marked executable stays so
                    entry.ExternalAttributes = (int)(File.GetUnixFileMode(Path.Combine(root, file.Path)) & (UnixFileMode)0x1FF) << 16;
                using var target = entry.Open();
                using var source = File.OpenRead(Path.Combine(root, file.Path));
                source.CopyTo(target);
            }
        }
        var bytes = buffer.ToArray();
        return (bytes, HashOf(bytes));
    }

    public static string HashOf(byte[] zip) => Convert.ToHexStringLower(SHA256.HashData(zip));

    /// <summary>The files a package holds, relative, with <c>/</c> between folders: what a submission's <c>run:</c> is checked against.</summary>
    public static IReadOnlySet<string> List(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.Where(e => !e.FullName.EndsWith('/')).Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Unpacks into <paramref name="target"/>, made whole or not at all (a folder beside it, renamed into place); an entry that
    /// would land outside it is refused.
    /// </summary>
    public static void Unpack(byte[] zip, string target)
    {
        var full = Path.GetFullPath(target);
        var staging = $"{full}.{Guid.NewGuid():N}.unpacking";
        try
        {
            using (var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
            {
                foreach (var entry in archive.Entries)
                {
                    var path = Path.GetFullPath(Path.Combine(staging, entry.FullName));
                    if (!path.StartsWith(staging + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                        throw new CodePackageException($"the code package holds '{entry.FullName}', which lies outside its folder");
                    if (entry.FullName.EndsWith('/')) continue;
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    entry.ExtractToFile(path);
                    if (!OperatingSystem.IsWindows() && (entry.ExternalAttributes >> 16 & 0x1FF) is var mode and not 0) File.SetUnixFileMode(path, (UnixFileMode)mode);
                }
            }
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            try
            {
                Directory.Move(staging, full);
            }
            catch (IOException) when (Directory.Exists(full))
            {
                // Another trial of this worker unpacked the same package first: the same files.
            }
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    private sealed record PackedFile(string Path, long Length);

    /// <summary>Regular files under the root that no rule ignores, in a fixed order; links and <c>.git</c> are never packed.</summary>
    private static IEnumerable<PackedFile> Files(string root, IgnoreRules rules)
    {
        var pending = new Stack<string>([root]);
        var found = new List<PackedFile>();
        while (pending.TryPop(out var directory))
        {
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            {
                var relative = Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (entry.LinkTarget is not null) continue;
                var isDirectory = entry is DirectoryInfo;
                if (relative == ".git" || rules.Ignores(relative, isDirectory)) continue;
                if (isDirectory) pending.Push(entry.FullName);
                else found.Add(new PackedFile(relative, ((FileInfo)entry).Length));
            }
        }
        return found.OrderBy(f => f.Path, StringComparer.Ordinal);
    }
}

public sealed class CodePackageException(string message) : Exception(message);
