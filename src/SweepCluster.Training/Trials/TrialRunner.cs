using SweepCluster.Core.Spec;
using SweepCluster.Training.Data;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Training.Trials;

/// <summary>Runs one trial job with its trainer: a network on shower data, or a built-in objective. Synchronous: call it on a thread of its own.</summary>
public static class TrialRunner
{
    /// <param name="onBatch">Called after each trained batch (networks only): the trial is alive even in a long epoch.</param>
    public static TrialOutcome Run(TrialJob job, Action<EpochReport> onEpoch, CancellationToken cancellation, Action? onBatch = null)
    {
        if (!KnownTrainers.NeedsData(job.Trainer)) return BuiltinObjectives.Run(job, onEpoch, cancellation);
        if (job.Threads is { } threads) TorchSharp.torch.set_num_threads(threads);
        var data = ShowerData.Shared(job.DataDirectory ?? SyntheticShowers.EnsureCached());
        var result = ShowerTrainer.Train(
            new TrainingRequest(job.Trainer, job.Params, job.Seed, data, job.Device, job.Epochs, job.CheckpointDirectory, job.ArtifactDirectory),
            onEpoch, cancellation, onBatch);
        return new TrialOutcome(result.Metrics, result.Epochs, result.Artifacts);
    }
}
