using System.Collections.Immutable;
using SweepCluster.Cluster.Serialization;

namespace SweepCluster.Cluster.Worker;

// A trial's artifacts stay on the worker that ran it; any node's endpoint fetches them from there, in chunks that fit a frame.

/// <summary>The files of a trial's folder on this worker.</summary>
/// <param name="TrialFolder">The folder relative to the worker's runs folder, as <see cref="StartTrial"/> names it (<c>name-id/trial-0003</c>).</param>
public sealed record ListArtifacts(string TrialFolder) : ISweepMessage;

/// <param name="Directory">The folder on the worker's disk.</param>
/// <param name="Error">Why the folder could not be listed, when it could not.</param>
public sealed record ArtifactsListed(string Directory, ImmutableArray<ArtifactFile> Files, string? Error) : ISweepMessage;

/// <param name="Path">Relative to the trial's folder, with <c>/</c> between folders.</param>
public sealed record ArtifactFile(string Path, long Size);

/// <summary>Up to <see cref="ChunkBytes"/> of one file from <paramref name="Offset"/>.</summary>
public sealed record ReadArtifact(string TrialFolder, string Path, long Offset) : ISweepMessage
{
    public const int ChunkBytes = FileChunks.ChunkBytes;
}

/// <param name="End">The chunk reaches the end of the file.</param>
public sealed record ArtifactRead(byte[] Data, bool End, string? Error) : ISweepMessage;

/// <summary>The fingerprint of the data this worker would give a sweep's trials: its node's <c>--data</c>, else <c>Fallback</c> (the folder the sweep's trials read).</summary>
public sealed record FingerprintData(string? Fallback) : ISweepMessage;

/// <param name="Fingerprint">Null when the folder is not there, or cannot be read.</param>
public sealed record DataFingerprinted(string? Folder, Core.Files.DataFingerprint? Fingerprint) : ISweepMessage;
