using System.Collections.Immutable;
using System.Text.Json;
using SweepCluster.Core.Files;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;

namespace SweepCluster.Core.Sweeps;

/// <summary>
/// How a sweep's folders are named on every node: one run folder per sweep, one folder per trial inside it. An ended
/// sweep's run folder holds <c>sweep.json</c> (its header and every trial) and <c>submission.json</c> (what was submitted:
/// experiment, seed, epochs), from which it can be extended.
/// </summary>
public static class RunFolders
{
    public const string SummaryFile = "sweep.json";

    /// <summary>
    /// A run folder recorded in a journal, moved into <paramref name="runsDirectory"/> when it lies in another store's runs
    /// folder: a store copied or restored elsewhere (or a coordinator node on another machine) uses its own run folders, never
    /// the original store's. A folder outside any <c>runs</c> folder (a run resumed from where its user keeps it) stays.
    /// </summary>
    public static string Relocated(string runDirectory, string runsDirectory)
    {
        var parent = Path.GetDirectoryName(runDirectory);
        return parent is null || Path.GetFileName(parent) != "runs" || parent == Path.TrimEndingDirectorySeparator(runsDirectory)
            ? runDirectory
            : Path.Combine(runsDirectory, Path.GetFileName(runDirectory));
    }
    public const string SubmissionFile = "submission.json";

    /// <summary>A trial's folder relative to a runs folder (<c>name-id/trial-0003</c>): each worker makes it under its own.</summary>
    public static string Trial(string runDirectory, int index) => Path.Combine(Path.GetFileName(runDirectory), $"trial-{index:D4}");

    /// <summary>
    /// Writes the ended sweep's <c>submission.json</c> and <c>sweep.json</c>, each whole (a coordinator that finds sweep.json
    /// trusts it), and streamed: a 100,000-trial sweep.json is some 75 MB, which as one string took twice that in memory.
    /// </summary>
    public static void WriteEnded(SweepSnapshot sweep, SweepSubmitted submitted)
    {
        Directory.CreateDirectory(sweep.RunDirectory);
        AtomicFile.Write(Path.Combine(sweep.RunDirectory, SubmissionFile), file => JsonSerializer.Serialize(file, submitted, SweepJson.Options));
        AtomicFile.Write(Path.Combine(sweep.RunDirectory, SummaryFile), file => JsonSerializer.Serialize(file, new SweepDocument(sweep), SweepJson.Options));
    }

    /// <summary>The sweep's trials as its <c>sweep.json</c> records them, in index order.</summary>
    /// <exception cref="IOException">The file is missing or unreadable; the message names it.</exception>
    public static ImmutableArray<TrialDocument> ReadTrials(string runDirectory) =>
        [.. (Read<SweepFileTrials>(Path.Combine(runDirectory, SummaryFile)).Trials).OrderBy(t => t.Index)];

    /// <summary>The sweep's header as its <c>sweep.json</c> records it.</summary>
    /// <exception cref="IOException">The file is missing or unreadable; the message names it.</exception>
    public static SweepHeader ReadHeader(string runDirectory) => Read<SweepHeader>(Path.Combine(runDirectory, SummaryFile));

    /// <summary>What was submitted for the sweep whose run folder this is.</summary>
    /// <exception cref="IOException">The file is missing or unreadable (a run folder of a version before it was written, or not a run folder); the message names it.</exception>
    public static SweepSubmitted ReadSubmission(string runDirectory) => Read<SweepSubmitted>(Path.Combine(runDirectory, SubmissionFile));

    private static T Read<T>(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            return JsonSerializer.Deserialize<T>(stream, SweepJson.Options) ?? throw new JsonException("the file holds null");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "there is no such file" : e.Message;
            throw new IOException($"cannot read {file}: {reason}", e);
        }
    }

    /// <summary>The part of sweep.json that holds the trials.</summary>
    private sealed record SweepFileTrials(ImmutableArray<TrialDocument> Trials);
}
