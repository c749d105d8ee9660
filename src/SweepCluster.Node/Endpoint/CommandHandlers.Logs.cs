using System.Globalization;
using System.Text;
using Akka.Actor;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Results;

namespace SweepCluster.Node.Endpoint;

/// <summary>The lines a trial's program wrote: <c>sweep logs</c>, read from the worker that runs or ran it.</summary>
internal sealed partial class CommandHandlers
{
    /// <summary>How much of the end of each log is read for its last lines, and at most for the lines after an offset.</summary>
    private const int TailBytes = 4 * ReadArtifact.ChunkBytes;

    private static readonly string[] LogFiles = ["stdout.log", "stderr.log"];

    /// <summary>
    /// The last <c>--tail</c> lines of each log; with <c>--since OUT,ERR</c> (byte offsets a previous answer gave), the whole lines
    /// written after them instead: what <c>sweep logs --follow</c> asks for each second.
    /// </summary>
    public async Task<CommandResult> Logs(CommandInput input)
    {
        var (id, tail) = (input.Text("id"), input.Number("tail")!.Value);
        long[]? since = null;
        if (input.Optional("since") is { } given)
        {
            since = [.. given.Split(',').Select(o => long.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1)];
            if (since is not [>= 0, >= 0]) return CommandResult.Invalid($"--since takes two byte offsets, OUT,ERR (got '{given}')");
        }
        var (ran, refusal) = await Locate(id, input.Number("trial")!.Value);
        if (ran is null) return refusal!;
        var worker = WorkerOf(ran);
        try
        {
            var listed = await worker.Ask<ArtifactsListed>(new ListArtifacts(ran.Folder), AskTimeout);
            if (listed.Error is { } error) return CommandResult.Failed($"{ran.Node}: {error}");
            var logs = new List<(string[] Lines, long Offset)>();
            for (var f = 0; f < LogFiles.Length; f++)
            {
                var file = listed.Files.FirstOrDefault(a => a.Path == LogFiles[f]);
                logs.Add(file is null ? ([], since?[f] ?? 0) : await Lines(worker, ran.Folder, file, tail, since?[f]));
            }
            var text = new StringWriter();
            for (var f = 0; f < LogFiles.Length; f++)
            {
                if (since is null) text.WriteLine($"== {LogFiles[f]} of trial {ran.Trial.Index} on {ran.Node} (last {logs[f].Lines.Length} lines) ==");
                foreach (var line in logs[f].Lines) text.WriteLine(since is null || f == 0 ? line : $"stderr: {line}");
            }
            if (since is null && !listed.Files.Any(a => LogFiles.Contains(a.Path)))
                text.WriteLine("(no logs: the trial ran a built-in trainer, whose progress is its curve)");
            var running = ran.Trial.Status is TrialStatus.Running or TrialStatus.Pending;
            return CommandResult.Ok(new TrialLogs(id, ran.Trial.Index, ran.Node, logs[0].Lines, logs[1].Lines, logs[0].Offset, logs[1].Offset, running),
                text.ToString());
        }
        catch (AskTimeoutException)
        {
            return Unreachable(ran);
        }
    }

    /// <summary>The file's last <paramref name="count"/> lines, or its whole lines after <paramref name="since"/>; and the offset to ask from next.</summary>
    private static async Task<(string[] Lines, long Offset)> Lines(ActorSelection worker, string folder, ArtifactFile file, int count, long? since)
    {
        var start = Math.Max(since ?? 0, file.Size - TailBytes);
        using var bytes = new MemoryStream();
        for (var offset = start; offset < file.Size;)
        {
            var chunk = await worker.Ask<ArtifactRead>(new ReadArtifact(folder, file.Path, offset), AskTimeout);
            if (chunk.Error is not null || chunk.Data.Length == 0) break;
            bytes.Write(chunk.Data);
            offset += chunk.Data.Length;
            if (chunk.End) break;
        }
        var data = bytes.ToArray();
        var complete = Array.LastIndexOf(data, (byte)'\n') + 1; // a line still being written waits for the next ask
        var lines = Encoding.UTF8.GetString(data, 0, complete).Split('\n').ToList();
        if (start > (since ?? 0) && lines.Count > 0) lines.RemoveAt(0); // the first line read began before the part read
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return (since is null ? [.. lines.Skip(Math.Max(0, lines.Count - count))] : [.. lines], start + complete);
    }
}

/// <summary><c>sweep logs</c>: lines of a trial's standard output and error, the node that holds them, and where to go on from.</summary>
/// <param name="StdoutOffset">Bytes of stdout.log read through the last whole line: <c>--since</c> for the next ask.</param>
/// <param name="Running">The trial has not ended: more lines may come.</param>
public sealed record TrialLogs(string Sweep, int Index, string Node, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr,
    long StdoutOffset = 0, long StderrOffset = 0, bool Running = false);
