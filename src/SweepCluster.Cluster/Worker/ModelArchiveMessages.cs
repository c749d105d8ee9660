using System.Collections.Immutable;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Core.Models;

namespace SweepCluster.Cluster.Worker;

/// <summary>Copy a trial's files (<c>name-id/trial-0003</c> in the runs folder) into the model store, for a version of model <c>Name</c>.</summary>
public sealed record ArchiveModel(string TrialFolder, string Name) : ISweepMessage;

/// <param name="Folder">Where the copy is, relative to the worker's model store.</param>
public sealed record ModelArchived(string Folder, ImmutableArray<ModelFile> Files, string? Error) : ISweepMessage;

/// <summary>A chunk of a registered version's file, answered with an <see cref="ArtifactRead"/>.</summary>
public sealed record ReadModelFile(string Folder, string Path, long Offset) : ISweepMessage;
