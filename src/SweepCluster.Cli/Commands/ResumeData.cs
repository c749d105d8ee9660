using System.Text.Json;
using SweepCluster.Core.Files;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Training.Data;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// <c>run --resume</c>: the trials added to a sweep must read the data its trials read, or their results would not compare
/// (a trial trained on other data could become the sweep's best). The earlier data is known by the fingerprint in the run
/// folder's trial.json files.
/// </summary>
internal static class ResumeData
{
    /// <summary>Why the new trials' data differs from the sweep's, or null when it does not (or the sweep's trials recorded none).</summary>
    public static string? Changed(string runDirectory, ExperimentSpec spec, string? dataOption)
    {
        if (Earlier(runDirectory) is not { } earlier) return null;
        var folder = spec is { Commands: { } commands, CodeDirectory: { } code }
            ? new CommandJob([.. commands], code, spec.Metric.Name, spec.DataDirectory).DataFolder(dataOption)
            : KnownTrainers.NeedsData(spec.Trainer) ? dataOption ?? SyntheticShowers.EnsureCached() : null;
        var now = folder is null ? null : DataFingerprint.Of(folder);
        if (now?.Sha256 == earlier.Sha256) return null;
        return $"--resume {runDirectory}: the sweep's trials read {Described(earlier)}; the new trials would read {(now is null ? folder ?? "no data" : Described(now))}"
            + ": their results would not compare with the earlier ones. Give the same --data, or --allow-changed-data to go on (each trial.json records its data)";
    }

    private static string Described(DataFingerprint data) => $"{data.Folder} ({data.Files} file{(data.Files == 1 ? "" : "s")}, fingerprint {HashText.Short(data.Sha256)})";

    /// <summary>The data the first trial that recorded its lineage read.</summary>
    private static DataFingerprint? Earlier(string runDirectory)
    {
        foreach (var file in Directory.EnumerateFiles(runDirectory, "trial.json", SearchOption.AllDirectories))
        {
            try
            {
                if (JsonSerializer.Deserialize<TrialFile>(File.ReadAllText(file), SweepJson.Options)?.Lineage?.Data is { } data) return data;
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
                // A damaged record says nothing of the data; another trial's will.
            }
        }
        return null;
    }
}
