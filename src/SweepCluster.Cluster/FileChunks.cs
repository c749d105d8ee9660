namespace SweepCluster.Cluster;

/// <summary>A file sent over the cluster a chunk at a time (a trial's artifact, a code package): each small enough for one frame.</summary>
internal static class FileChunks
{
    /// <summary>48 KiB: as base64 in a JSON message, well inside Akka's 128,000-byte frame.</summary>
    public const int ChunkBytes = 48 * 1024;

    /// <summary>Up to <see cref="ChunkBytes"/> from <paramref name="offset"/>, and the file's length; <see cref="IOException"/> when it cannot be read.</summary>
    public static (byte[] Data, long Length) Read(string path, long offset)
    {
        using var stream = File.OpenRead(path);
        stream.Position = Math.Min(offset, stream.Length);
        var buffer = new byte[(int)Math.Min(ChunkBytes, stream.Length - stream.Position)];
        stream.ReadExactly(buffer);
        return (buffer, stream.Length);
    }
}
