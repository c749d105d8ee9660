using SweepCluster.Cluster.Serialization;

namespace SweepCluster.Cluster.Code;

// A sweep's code package stays on the node that received it; each worker fetches it once, from any member that holds it, in chunks
// that fit a frame.

/// <summary>Up to <see cref="FileChunks.ChunkBytes"/> of the package <paramref name="Hash"/> from <paramref name="Offset"/>.</summary>
public sealed record ReadCode(string Hash, long Offset) : ISweepMessage;

/// <param name="Length">The whole package's size.</param>
/// <param name="Error">Why this node cannot send it (it does not hold it): ask another.</param>
public sealed record CodeRead(byte[] Data, long Length, string? Error) : ISweepMessage;
