using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using SweepCluster.Core.Code;

namespace SweepCluster.Cluster.Code;

/// <summary>
/// A worker's unpacked code packages, <c>STORE/code/HASH/</c>: the first trial that needs one fetches it from a member that holds
/// it (in chunks, its hash checked) and unpacks it; the others of this worker wait for that and use the same folder. Called on
/// trial threads, never on an actor's.
/// </summary>
public sealed class CodeCache(ActorSystem system, string folder)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, Lazy<string>> _unpacked = new();

    /// <summary>The folder the package's files are in on this worker; throws <see cref="CodePackageException"/> when no member can send it.</summary>
    public string Ensure(string hash)
    {
        var entry = _unpacked.GetOrAdd(hash, h => new Lazy<string>(() => Unpacked(h), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return entry.Value;
        }
        catch
        {
            _unpacked.TryRemove(KeyValuePair.Create(hash, entry)); // the next trial tries again
            throw;
        }
    }

    private string Unpacked(string hash)
    {
        if (!CodeStore.IsHash(hash)) throw new CodePackageException($"'{hash}' is not a code package's hash");
        var target = Path.Combine(folder, hash);
        if (Directory.Exists(target)) return target;
        var package = CodeStore.PackageFile(folder, hash);
        var zip = File.Exists(package) ? File.ReadAllBytes(package) : Fetch(hash);
        if (CodePackage.HashOf(zip) != hash) throw new CodePackageException($"the code package {hash[..12]} arrived damaged (its hash differs)");
        if (!File.Exists(package)) CodeStore.Keep(folder, hash, zip); // this worker serves it to the others from now on
        CodePackage.Unpack(zip, target);
        return target;
    }

    /// <summary>The package from the first member that holds it: this node's own store first, then the others.</summary>
    private byte[] Fetch(string hash)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var members = cluster.State.Members.Where(m => m.Status == MemberStatus.Up && !cluster.State.Unreachable.Contains(m))
            .OrderBy(m => m.Address == cluster.SelfAddress ? 0 : 1).Select(m => m.Address).ToList();
        var problems = new List<string>();
        foreach (var member in members)
        {
            var store = system.ActorSelection($"{member}/user/{ClusterNames.CodeStoreActor}");
            try
            {
                using var bytes = new MemoryStream();
                while (true)
                {
                    var chunk = store.Ask<CodeRead>(new ReadCode(hash, bytes.Length), AskTimeout).GetAwaiter().GetResult();
                    if (chunk.Error is { } error) throw new CodePackageException(error);
                    bytes.Write(chunk.Data);
                    if (bytes.Length >= chunk.Length || chunk.Data.Length == 0) break;
                }
                return bytes.ToArray();
            }
            catch (Exception e) when (e is CodePackageException or AskTimeoutException)
            {
                problems.Add($"{member}: {(e is AskTimeoutException ? "no answer" : e.Message)}");
            }
        }
        throw new CodePackageException($"no member sends the code package {hash[..12]} ({string.Join("; ", problems)})");
    }
}
