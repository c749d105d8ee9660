using System.Text;
using Akka.Actor;
using SweepCluster.Cluster.Worker;

namespace SweepCluster.Node.Endpoint;

/// <summary>The last lines a trial's program wrote: <c>sweep logs</c>, read from the worker that runs or ran it.</summary>
internal sealed partial class CommandHandlers
{
    /// <summary>How much of the end of each log is read for its last lines.</summary>
    private const int TailBytes = 4 * ReadArtifact.ChunkBytes;

    private static readonly string[] LogFiles = ["stdout.log", "stderr.log"];

    public async Task<CommandResult> Logs(CommandInput input)
    {
        var s = input.Switches;
        var tail = s.TryGetValue("tail", out var t) ? PositiveInt(t) : 50;
        if (tail is null) return CommandResult.Invalid($"--tail needs a whole number >= 1 (got '{t}')");
        var (ran, refusal) = await Locate(s["id"], s["trial"]);
        if (ran is null) return refusal!;
        var worker = WorkerOf(ran);
        try
        {
            var listed = await worker.Ask<ArtifactsListed>(new ListArtifacts(ran.Folder), AskTimeout);
            if (listed.Error is { } error) return CommandResult.Failed($"{ran.Node}: {error}");
            var logs = new Dictionary<string, string[]>();
            foreach (var name in LogFiles)
                logs[name] = listed.Files.FirstOrDefault(f => f.Path == name) is { } file ? await LastLines(worker, ran.Folder, file, tail.Value) : [];
            var text = new StringWriter();
            foreach (var (name, lines) in logs)
            {
                text.WriteLine($"== {name} of trial {ran.Trial.Index} on {ran.Node} (last {lines.Length} lines) ==");
                foreach (var line in lines) text.WriteLine(line);
            }
            if (!listed.Files.Any(f => LogFiles.Contains(f.Path))) text.WriteLine("(no logs: the trial ran a built-in trainer, whose progress is its curve)");
            return CommandResult.Ok(new TrialLogs(s["id"], ran.Trial.Index, ran.Node, logs["stdout.log"], logs["stderr.log"]), text.ToString());
        }
        catch (AskTimeoutException)
        {
            return Unreachable(ran);
        }
    }

    private static async Task<string[]> LastLines(ActorSelection worker, string folder, ArtifactFile file, int count)
    {
        var start = Math.Max(0, file.Size - TailBytes);
        using var bytes = new MemoryStream();
        for (var offset = start; offset < file.Size;)
        {
            var chunk = await worker.Ask<ArtifactRead>(new ReadArtifact(folder, file.Path, offset), AskTimeout);
            if (chunk.Error is not null || chunk.Data.Length == 0) break;
            bytes.Write(chunk.Data);
            offset += chunk.Data.Length;
            if (chunk.End) break;
        }
        var lines = Encoding.UTF8.GetString(bytes.ToArray()).Split('\n').ToList();
        if (start > 0 && lines.Count > 0) lines.RemoveAt(0); // the first line read began before the part read
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return [.. lines.Skip(Math.Max(0, lines.Count - count))];
    }
}

/// <summary><c>sweep logs</c>: the last lines of a trial's standard output and error, and the node that holds them.</summary>
public sealed record TrialLogs(string Sweep, int Index, string Node, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr);
