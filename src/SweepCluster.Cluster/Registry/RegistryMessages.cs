using System.Collections.Immutable;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Core.Models;

namespace SweepCluster.Cluster.Registry;

/// <summary>Register a trial's files, already copied and checksummed by the worker that keeps them, as the next version of <c>Name</c>.</summary>
public sealed record RegisterModelVersion(
    string Name,
    string SweepId,
    int Trial,
    string Node,
    string Folder,
    ImmutableArray<ModelFile> Files,
    string Metric,
    ImmutableSortedDictionary<string, double> Metrics,
    string Card) : ISweepMessage;

/// <summary>Move a version to a stage (the version that held staging or production is archived).</summary>
public sealed record PromoteModelVersion(string Name, int Version, ModelStage Stage) : ISweepMessage;

public sealed record ListModels : ISweepMessage;

/// <summary><c>NAME</c>, <c>NAME:VERSION</c> or <c>NAME@STAGE</c>.</summary>
public sealed record GetModelVersion(string Reference) : ISweepMessage;

/// <summary>The answer to every registry command and query: the version concerned, the whole list, or why not.</summary>
public sealed record ModelAnswer(ModelVersion? Version, ImmutableArray<ModelVersion> Versions, string? Problem) : ISweepMessage
{
    public static ModelAnswer Of(ModelVersion version) => new(version, [], null);

    public static ModelAnswer Refused(string problem) => new(null, [], problem);
}
