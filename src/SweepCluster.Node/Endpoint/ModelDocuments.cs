using System.Collections.Immutable;
using SweepCluster.Core.Models;

namespace SweepCluster.Node.Endpoint;

/// <summary><c>model register</c>, <c>model show</c>, <c>model promote</c>: one registered version. A published document: fields are only added.</summary>
/// <param name="Node">The worker that keeps its files; <c>GET /api/models/NAME/VERSION/PATH</c> on any node fetches one from there.</param>
public sealed record ModelVersionDocument(string Name, int Version, string Stage, DateTimeOffset StageSince, string Sweep, int Trial, string Metric,
    ImmutableSortedDictionary<string, double> Metrics, string Node, ImmutableArray<ModelFile> Files, DateTimeOffset RegisteredAt, string Card)
{
    public static ModelVersionDocument Of(ModelVersion v) => new(v.Name, v.Version, v.Stage.ToString().ToLowerInvariant(), v.StageSince, v.Registered.SweepId,
        v.Registered.Trial, v.Registered.Metric, v.Registered.Metrics, v.Registered.Node, v.Registered.Files, v.Registered.At, v.Registered.Card);
}

/// <summary><c>model list</c>: every version of every model, by name then version.</summary>
public sealed record ModelList(IReadOnlyList<ModelVersionDocument> Versions);
