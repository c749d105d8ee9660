using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Trials;

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

/// <summary>What a trainer reports after every epoch: enough to show progress and to stop hopeless trials early.</summary>
/// <param name="Value">The epoch's value of the metric the sweep watches (test_f1 for the networks).</param>
/// <param name="Samples">Training samples processed in the epoch.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, double Value, double Seconds, long Samples);
