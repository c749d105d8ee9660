using SweepCluster.Core.Spec;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Training.Trials;

/// <summary>One attempt of one trial, as a worker runs it.</summary>
/// <param name="DataDirectory">Shower files for the networks; the cached synthetic set when null.</param>
/// <param name="ArtifactDirectory">The trial's folder under the sweep's run directory.</param>
/// <param name="Threads">Torch's intra-op threads for this process, so concurrent trials share the cores rather than fight.</param>
public sealed record TrialJob(
    string Trainer,
    ParamValue.Map Params,
    long Seed,
    string Device,
    int? Epochs,
    string? DataDirectory,
    string ArtifactDirectory,
    string? CheckpointDirectory,
    int? Threads = null);

public sealed record TrialOutcome(
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<EpochReport> Epochs,
    IReadOnlyDictionary<string, string> Artifacts);
