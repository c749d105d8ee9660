using System.Globalization;
using Akka.Actor;
using SweepCluster.Cluster.Worker;
using SweepCluster.Node.Text;

namespace SweepCluster.Node.Endpoint;

// A trial's files: listed, and sent from the worker that holds them.
internal sealed partial class CommandHandlers
{
    public async Task<CommandResult> Artifacts(CommandInput input)
    {
        var (ran, refusal) = await Locate(input.Switches["id"], input.Switches["trial"]);
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
        return CommandResult.Ok(new ArtifactList(input.Switches["id"], ran.Trial.Index, ran.Node, listed.Directory, listed.Files), text.ToString());
    }

    /// <summary>
    /// Streams one of a trial's files from the worker that holds it, chunk by chunk; null once sent, or why it cannot be.
    /// A failure after the first chunk aborts the response, so that the client sees the file incomplete.
    /// </summary>
    public async Task<CommandResult?> SendArtifact(string id, string index, string path, Microsoft.AspNetCore.Http.HttpContext context)
    {
        var (ran, refusal) = await Locate(id, index);
        if (ran is null) return refusal;
        var worker = WorkerOf(ran);
        long offset = 0;
        while (true)
        {
            ArtifactRead chunk;
            try
            {
                chunk = await worker.Ask<ArtifactRead>(new ReadArtifact(ran.Folder, path, offset), AskTimeout, context.RequestAborted);
            }
            catch (AskTimeoutException) when (offset == 0)
            {
                return Unreachable(ran);
            }
            catch (AskTimeoutException)
            {
                context.Abort();
                return null;
            }
            if (chunk.Error is { } error)
            {
                if (offset == 0) return CommandResult.Failed($"{ran.Node}: {error}");
                context.Abort();
                return null;
            }
            if (offset == 0) context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(chunk.Data, context.RequestAborted);
            offset += chunk.Data.Length;
            if (chunk.End) return null;
        }
    }
}
