using SweepCluster.Core.Spec;
using SweepCluster.Training.Data;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Training.Trials;

/// <summary>Runs one trial job with its trainer: a network on shower data, or a built-in objective. Synchronous: call it on a thread of its own.</summary>
public static class TrialRunner
{
    public static TrialOutcome Run(TrialJob job, Action<EpochReport> onEpoch, CancellationToken cancellation)
    {
        if (!KnownTrainers.NeedsData(job.Trainer)) return BuiltinObjectives.Run(job, onEpoch, cancellation);
        if (job.Threads is { } threads) TorchSharp.torch.set_num_threads(threads);
        var data = ShowerData.Shared(job.DataDirectory ?? SyntheticShowers.EnsureCached());
        var result = ShowerTrainer.Train(
            new TrainingRequest(job.Trainer, job.Params, job.Seed, data, job.Device, job.Epochs, job.CheckpointDirectory, job.ArtifactDirectory),
            onEpoch, cancellation);
        return new TrialOutcome(result.Metrics, result.Epochs, result.Artifacts);
    }
}
