namespace SweepCluster.Core.Files;

/// <summary>Hashes as messages show them: their first 12 digits, or all of a shorter one (a record read from a file may hold anything).</summary>
public static class HashText
{
    public static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
