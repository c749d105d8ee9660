using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;
using SweepCluster.Node.Text;

namespace SweepCluster.Node.Endpoint;

// A trial's files: listed, and sent from the worker that holds them.
internal sealed partial class CommandHandlers
{
    public async Task<CommandResult> Artifacts(CommandInput input)
    {
        var (ran, refusal) = await Locate(input.Text("id"), input.Number("trial")!.Value);
        if (ran is null) return refusal!;
        ArtifactsListed listed;
        try
        {
            listed = await WorkerOf(ran).Ask<ArtifactsListed>(new ListArtifacts(ran.Folder), AskTimeout);
        }
        catch (AskTimeoutException)
        {
            return Unreachable(ran);
        }
        if (listed.Error is { } error) return CommandResult.Failed($"{ran.Node}: {error}");
        var text = new StringWriter();
        TextTable.Write(text, ["file", "bytes"], [.. listed.Files.Select(f => (IReadOnlyList<string>)[f.Path, f.Size.ToString(CultureInfo.InvariantCulture)])], new HashSet<int> { 1 });
        text.WriteLine($"{listed.Files.Length} files of trial {ran.Trial.Index} in {listed.Directory} on {ran.Node}");
        return CommandResult.Ok(new ArtifactList(input.Text("id"), ran.Trial.Index, ran.Node, listed.Directory, listed.Files), text.ToString());
    }

    /// <summary>The lineage in the trial's trial.json, read from the worker that holds it; null while there is none to read.</summary>
    private async Task<TrialLineage?> LineageOf(string id, int index)
    {
        var (ran, _) = await Locate(id, index);
        if (ran is null || await SmallArtifact(ran, "trial.json") is not { } bytes) return null;
        try
        {
            return JsonSerializer.Deserialize<TrialFile>(bytes, SweepJson.Options)?.Lineage;
        }
        catch (JsonException)
        {
            return null; // the trial is still shown, without what it ran with
        }
    }

    /// <summary>A small file of the trial's (up to <see cref="MaxTrialFile"/>), read from the worker that holds it; null when it cannot be.</summary>
    private async Task<byte[]?> SmallArtifact(RanTrial ran, string path)
    {
        try
        {
            using var bytes = new MemoryStream();
            for (var offset = 0L; bytes.Length <= MaxTrialFile;)
            {
                var chunk = await WorkerOf(ran).Ask<ArtifactRead>(new ReadArtifact(ran.Folder, path, offset), AskTimeout);
                if (chunk.Error is not null) return null;
                bytes.Write(chunk.Data);
                offset += chunk.Data.Length;
                if (chunk.End) return bytes.ToArray();
            }
            return null;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>A trial.json past this is not read for its lineage (its epochs make it long; a trial of 10,000 epochs stays under).</summary>
    private const int MaxTrialFile = 4 << 20;

    /// <summary>
    /// Streams one of a trial's files from the worker that holds it, chunk by chunk; null once sent, or why it cannot be.
    /// A failure after the first chunk aborts the response, so that the client sees the file incomplete.
    /// </summary>
    public async Task<CommandResult?> SendArtifact(string id, string index, string path, Microsoft.AspNetCore.Http.HttpContext context)
    {
        if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return CommandResult.Invalid($"'{index}' is not a trial's index: a whole number >= 0");
        var (ran, refusal) = await Locate(id, number);
        if (ran is null) return refusal;
        return await Stream(WorkerOf(ran), offset => new ReadArtifact(ran.Folder, path, offset), ran.Node, Unreachable(ran), context);
    }

    /// <summary>
    /// Sends a file from the worker that holds it, asking for one chunk after another; null once sent, or why it cannot be. A failure
    /// after the first chunk aborts the response, so that the client sees the file incomplete.
    /// </summary>
    private static async Task<CommandResult?> Stream(ActorSelection worker, Func<long, object> chunkAt, string node, CommandResult unreachable,
        Microsoft.AspNetCore.Http.HttpContext context)
    {
        for (long offset = 0; ;)
        {
            ArtifactRead chunk;
            try
            {
                chunk = await worker.Ask<ArtifactRead>(chunkAt(offset), AskTimeout, context.RequestAborted);
            }
            catch (AskTimeoutException) when (offset == 0)
            {
                return unreachable;
            }
            catch (AskTimeoutException)
            {
                context.Abort();
                return null;
            }
            if (chunk.Error is { } error)
            {
                if (offset == 0) return CommandResult.Failed($"{node}: {error}");
                context.Abort();
                return null;
            }
            if (offset == 0) context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(chunk.Data, context.RequestAborted);
            offset += chunk.Data.Length;
            if (chunk.End) return null;
        }
    }
    /// <summary>
    /// Why an extension's new trials would read other data than the sweep's ran on (the fingerprint in a completed trial's lineage,
    /// against each worker's own), or null: none differs, or the sweep's trials recorded no data to compare with.
    /// </summary>
    private async Task<string?> ChangedData(string id)
    {
        var status = await Ask<SweepStatusFound>(new GetSweepStatus(id));
        if (status.Sweep is not { } sweep || await LineageOf(id, sweep.Best?.Index ?? 0) is not { Data: { } recorded }) return null;
        var workers = await Ask<WorkersListed>(new GetWorkers());
        foreach (var worker in workers.Workers)
        {
            DataFingerprinted theirs;
            try
            {
                theirs = await system.ActorSelection($"{worker.Node}/user/{ClusterNames.WorkerActor}").Ask<DataFingerprinted>(new FingerprintData(recorded.Folder), TimeSpan.FromMinutes(2));
            }
            catch (AskTimeoutException)
            {
                continue; // a worker that does not answer takes no trials either
            }
            if (theirs.Fingerprint?.Sha256 == recorded.Sha256) continue;
            var what = theirs.Fingerprint is { } f ? $"{f.Folder} ({f.Files} file{(f.Files == 1 ? "" : "s")}, fingerprint {f.Sha256[..12]})" : $"{theirs.Folder ?? "no data folder"}, which it cannot read";
            return $"sweep {id}'s trials read {recorded.Folder} (fingerprint {recorded.Sha256[..12]}); worker {worker.Node} would give new trials {what}: "
                + "their results would not compare (--allow-changed-data yes extends anyway, and each trial's trial.json records what it read)";
        }
        return null;
    }
}
