using System.Text.RegularExpressions;
using Akka.Actor;
using SweepCluster.Core.Code;
using SweepCluster.Core.Files;

namespace SweepCluster.Cluster.Code;

/// <summary>
/// This node's code packages, <c>STORE/code/HASH.zip</c>: the ones submitted through its endpoint and the ones its worker fetched.
/// It serves them to any member that asks, by hash only, so that no request names a path.
/// </summary>
public sealed partial class CodeStore : ReceiveActor
{
    public CodeStore(string folder) => Receive<ReadCode>(r => Sender.Tell(Read(folder, r)));

    /// <summary>The folder beside a node's runs folder that keeps its code packages and their unpacked copies.</summary>
    public static string FolderBeside(string runsDirectory) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(runsDirectory))!, "code");

    public static bool IsHash(string text) => Sha256Hex().IsMatch(text);

    public static string PackageFile(string folder, string hash) => Path.Combine(folder, $"{hash}.zip");

    /// <summary>Keeps a package whose bytes hash to <paramref name="hash"/>; false when they do not.</summary>
    public static bool Keep(string folder, string hash, byte[] zip)
    {
        if (!IsHash(hash) || CodePackage.HashOf(zip) != hash) return false;
        Directory.CreateDirectory(folder);
        AtomicFile.Write(PackageFile(folder, hash), file => file.Write(zip));
        return true;
    }

    private static CodeRead Read(string folder, ReadCode request)
    {
        if (!IsHash(request.Hash)) return new CodeRead([], 0, $"'{request.Hash}' is not a code package's hash");
        try
        {
            var (data, length) = FileChunks.Read(PackageFile(folder, request.Hash), request.Offset);
            return new CodeRead(data, length, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CodeRead([], 0, e is FileNotFoundException or DirectoryNotFoundException ? "this node does not hold it" : e.Message);
        }
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}
