using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Registry;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Json;
using SweepCluster.Core.Models;
using SweepCluster.Core.Results;
using SweepCluster.Node.Text;

namespace SweepCluster.Node.Endpoint;

// The model registry's commands: a trial's files kept by its worker, the version journalled by the registry singleton.
internal sealed partial class CommandHandlers
{
    /// <summary>Copying a large network's files on the worker may take longer than a query.</summary>
    private static readonly TimeSpan ArchiveTimeout = TimeSpan.FromMinutes(2);

    private Task<ModelAnswer> AskRegistry(object message) => registry.Get<ModelRegistry>().Ask<ModelAnswer>(message, AskTimeout);

    public async Task<CommandResult> RegisterModel(CommandInput input)
    {
        var (id, name) = (input.Text("id"), input.Text("name"));
        if (ModelRegistryState.NameProblem(name) is { } badName) return CommandResult.Invalid($"--name: {badName}");
        var status = await Ask<SweepStatusFound>(new GetSweepStatus(id));
        if (status.Sweep is not { } sweep) return NoSweep(input);
        if ((input.Number("trial") ?? sweep.Best?.Index) is not { } index) return CommandResult.Failed($"sweep {sweep.Header.Id} has no completed trial yet: name one with --trial");
        var (ran, refusal) = await Locate(id, index);
        if (ran is null) return refusal!;
        if (ran.Trial.Status != TrialStatus.Completed)
            return CommandResult.Failed($"trial {ran.Trial.Index} of sweep {sweep.Header.Id} is {Lower(ran.Trial.Status)}: only a completed trial's model is registered");
        ModelArchived archived;
        try
        {
            archived = await WorkerOf(ran).Ask<ModelArchived>(new ArchiveModel(ran.Folder, name), ArchiveTimeout);
        }
        catch (AskTimeoutException)
        {
            return Unreachable(ran);
        }
        if (archived.Error is { } error) return CommandResult.Failed($"{ran.Node}: {error}");
        var lineage = await LineageOf(id, index);
        var confusion = await SmallArtifact(ran, "confusion.json") is { } bytes ? Deserialize<ConfusionFile>(bytes) : null;
        var card = ModelCard.Write(name, sweep.Header.Id, sweep.Header.Metric, ran.Trial, lineage, confusion);
        var answer = await AskRegistry(new RegisterModelVersion(name, sweep.Header.Id, ran.Trial.Index, ran.Node, archived.Folder, archived.Files,
            sweep.Header.Metric.Name, ran.Trial.Metrics.ToImmutableSortedDictionary(StringComparer.Ordinal), card));
        if (answer.Version is not { } version) return CommandResult.Failed(answer.Problem!);
        return CommandResult.Ok(ModelVersionDocument.Of(version),
            $"{version.Name}:{version.Version} registered: trial {ran.Trial.Index} of sweep {sweep.Header.Id}, {archived.Files.Length} files kept on {ran.Node}\n");
    }

    public async Task<CommandResult> ListModels()
    {
        var answer = await AskRegistry(new ListModels());
        var versions = answer.Versions.Select(ModelVersionDocument.Of).ToList();
        var text = new StringWriter();
        TextTable.Write(text, ["model", "version", "stage", "sweep", "trial", "metric", "registered"],
            [.. versions.Select(v => (IReadOnlyList<string>)[v.Name, v.Version.ToString(CultureInfo.InvariantCulture), v.Stage, v.Sweep, v.Trial.ToString(CultureInfo.InvariantCulture),
                v.Metrics.TryGetValue(v.Metric, out var value) ? $"{v.Metric} {value.ToString("G6", CultureInfo.InvariantCulture)}" : v.Metric,
                v.RegisteredAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)])], new HashSet<int> { 1, 4 });
        if (versions.Count == 0) text.WriteLine("no model is registered yet (model register -i SWEEP --name NAME)");
        return CommandResult.Ok(new ModelList(versions), text.ToString());
    }

    public async Task<CommandResult> ShowModel(CommandInput input)
    {
        var answer = await AskRegistry(new GetModelVersion(input.Text("model")));
        if (answer.Version is not { } version) return CommandResult.Failed(answer.Problem!);
        var document = ModelVersionDocument.Of(version);
        var text = new StringWriter();
        text.WriteLine($"{document.Name}:{document.Version} ({document.Stage}), registered {document.RegisteredAt:yyyy-MM-dd HH:mm}; files on {document.Node}:");
        foreach (var file in document.Files) text.WriteLine($"  {file.Path}  {file.Bytes} bytes  sha256 {file.Sha256}");
        text.WriteLine();
        text.Write(document.Card);
        return CommandResult.Ok(document, text.ToString());
    }

    public async Task<CommandResult> PromoteModel(CommandInput input)
    {
        var (name, version, _, problem) = ModelReference.Parse(input.Text("model"));
        if (problem is not null || version is null) return CommandResult.Invalid(problem ?? $"--model: '{input.Text("model")}' names no version: NAME:VERSION");
        if (ModelReference.Stage(input.Text("stage")) is not { } stage)
            return CommandResult.Invalid($"--stage takes staging, production or archived (got '{input.Text("stage")}')");
        var answer = await AskRegistry(new PromoteModelVersion(name, version.Value, stage));
        if (answer.Version is not { } promoted) return CommandResult.Failed(answer.Problem!);
        return CommandResult.Ok(ModelVersionDocument.Of(promoted), $"{promoted.Name}:{promoted.Version} is in {Lower(promoted.Stage)}\n");
    }

    /// <summary>Sends one file of a registered version from the worker that keeps it; null once sent, or why it cannot be.</summary>
    public async Task<CommandResult?> SendModelFile(string name, string version, string path, Microsoft.AspNetCore.Http.HttpContext context)
    {
        var answer = await AskRegistry(new GetModelVersion($"{name}:{version}"));
        if (answer.Version is not { } found) return CommandResult.Failed(answer.Problem!);
        if (!found.Registered.Files.Any(f => f.Path == path)) return CommandResult.Failed($"{name}:{version} has no file '{path}'");
        var node = found.Registered.Node;
        return await Stream(system.ActorSelection($"{node}/user/{Cluster.ClusterNames.WorkerActor}"), offset => new ReadModelFile(found.Registered.Folder, path, offset), node,
            CommandResult.Failed($"{node}, the worker that keeps {name}:{version}, does not answer (has it left the cluster?)"), context);
    }

    private static T? Deserialize<T>(byte[] bytes) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, SweepJson.Options);
        }
        catch (JsonException)
        {
            return null; // not the file the card expects: the card goes without it
        }
    }
}
