using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace SweepCluster.Core.Models;

/// <summary>MLflow's stages: a new version has none; staging and production hold one version each, the one before is archived.</summary>
public enum ModelStage { None, Staging, Production, Archived }

/// <summary>One file of a registered version, as the worker that keeps it copied it.</summary>
public sealed record ModelFile(string Path, long Bytes, string Sha256);

/// <summary>
/// The registry's state: every model's versions and their stages, rebuilt from <see cref="IModelEvent"/>s alone, and the decisions
/// on commands (names, versions, stages) with no I/O, so that the actor only persists and routes.
/// </summary>
public sealed partial class ModelRegistryState
{
    private readonly Dictionary<string, List<ModelVersion>> _models = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Names => [.. _models.Keys.Order(StringComparer.Ordinal)];

    public IReadOnlyList<ModelVersion> Versions(string name) => _models.TryGetValue(name, out var versions) ? versions : [];

    public void Apply(IModelEvent e)
    {
        switch (e)
        {
            case ModelVersionRegistered r:
                if (!_models.TryGetValue(r.Name, out var versions)) _models[r.Name] = versions = [];
                versions.Add(new ModelVersion(r, ModelStage.None, r.At));
                break;
            case ModelVersionPromoted p:
                var list = _models[p.Name];
                var index = list.FindIndex(v => v.Version == p.Version);
                list[index] = list[index] with { Stage = p.Stage, StageSince = p.At };
                break;
        }
    }

    /// <summary>A name a model can have: it names a folder on the workers and a part of a URL.</summary>
    public static string? NameProblem(string name) =>
        ValidName().IsMatch(name) ? null : $"'{name}' is not a model name: 1 to 64 letters, digits, '_', '-' or '.', starting with a letter or digit";

    public int NextVersion(string name) => Versions(name).Count + 1;

    /// <summary>The events that move <paramref name="name"/>:<paramref name="version"/> to <paramref name="stage"/>: the version that held staging or production before is archived.</summary>
    public (IReadOnlyList<ModelVersionPromoted> Events, string? Problem) Promote(string name, int version, ModelStage stage, DateTimeOffset at)
    {
        if (Find(name, version) is not { } found) return ([], NotFound(name, version));
        if (stage == ModelStage.None) return ([], "--stage takes staging, production or archived");
        if (found.Stage == stage) return ([], null);
        var events = new List<ModelVersionPromoted>();
        if (stage is ModelStage.Staging or ModelStage.Production)
            events.AddRange(Versions(name).Where(v => v.Stage == stage).Select(v => new ModelVersionPromoted(name, v.Version, ModelStage.Archived, at)));
        events.Add(new ModelVersionPromoted(name, version, stage, at));
        return (events, null);
    }

    public ModelVersion? Find(string name, int version) => Versions(name).FirstOrDefault(v => v.Version == version);

    /// <summary><c>NAME</c> (its latest version), <c>NAME:VERSION</c> or <c>NAME@STAGE</c>, or why it names none.</summary>
    public (ModelVersion? Version, string? Problem) Resolve(string reference)
    {
        var (name, version, stage, problem) = ModelReference.Parse(reference);
        if (problem is not null) return (null, problem);
        var versions = Versions(name);
        if (versions.Count == 0) return (null, $"no model is called '{name}' (model list shows them)");
        if (version is { } number) return Find(name, number) is { } found ? (found, null) : (null, NotFound(name, number));
        if (stage is { } wanted)
            return versions.LastOrDefault(v => v.Stage == wanted) is { } staged ? (staged, null) : (null, $"no version of {name} is in {wanted.ToString().ToLowerInvariant()} (model promote moves one there)");
        return (versions[^1], null);
    }

    private string NotFound(string name, int version) =>
        Versions(name).Count == 0 ? $"no model is called '{name}' (model list shows them)" : $"{name} has no version {version} (it has 1 to {Versions(name).Count})";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex ValidName();
}

/// <summary>How commands name a model: <c>NAME</c>, <c>NAME:VERSION</c> or <c>NAME@STAGE</c>.</summary>
public static class ModelReference
{
    /// <summary><c>staging</c>, <c>production</c> or <c>archived</c>, in lower case (not a number, which Enum.TryParse would take); null for anything else.</summary>
    public static ModelStage? Stage(string text) =>
        text.Length > 0 && text.All(char.IsAsciiLetterLower) && Enum.TryParse<ModelStage>(text, ignoreCase: true, out var stage) && stage != ModelStage.None ? stage : null;

    public static (string Name, int? Version, ModelStage? Stage, string? Problem) Parse(string reference)
    {
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        var name = reference[..(at >= 0 ? at : colon >= 0 ? colon : reference.Length)];
        if (ModelRegistryState.NameProblem(name) is { } problem) return (name, null, null, problem);
        if (at >= 0)
            return Stage(reference[(at + 1)..]) is { } stage
                ? (name, null, stage, null)
                : (name, null, null, $"'{reference}': after @ comes a stage: staging, production or archived");
        if (colon >= 0)
            return int.TryParse(reference[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) && version >= 1
                ? (name, version, null, null)
                : (name, null, null, $"'{reference}': after : comes a version, a whole number from 1");
        return (name, null, null, null);
    }
}

/// <summary>A registered version as the registry holds it.</summary>
public sealed record ModelVersion(ModelVersionRegistered Registered, ModelStage Stage, DateTimeOffset StageSince)
{
    public string Name => Registered.Name;
    public int Version => Registered.Version;
}

/// <summary>What happened in the registry: <see cref="ModelRegistryState"/> is rebuilt from these alone. Stored: fields are only added.</summary>
public interface IModelEvent
{
    string Name { get; }
}

/// <param name="Node">The worker that keeps the version's files (the one that ran the trial), as an actor address.</param>
/// <param name="Folder">The files' folder on that worker, relative to its model store.</param>
/// <param name="Metric">The sweep's metric, by which the trial was judged.</param>
/// <param name="Card">The model card, in Markdown: parameters, metrics, confusion matrix, curve, lineage.</param>
public sealed record ModelVersionRegistered(
    string Name,
    int Version,
    string SweepId,
    int Trial,
    string Node,
    string Folder,
    ImmutableArray<ModelFile> Files,
    string Metric,
    ImmutableSortedDictionary<string, double> Metrics,
    string Card,
    DateTimeOffset At) : IModelEvent;

public sealed record ModelVersionPromoted(string Name, int Version, ModelStage Stage, DateTimeOffset At) : IModelEvent;
