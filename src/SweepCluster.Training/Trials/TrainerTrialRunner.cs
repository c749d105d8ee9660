using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Training.Commands;
using SweepCluster.Training.Data;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Training.Trials;

/// <summary>Runs trials with their trainer: a network on shower data, a built-in objective, or the user's program. Synchronous: call it on a thread of its own.</summary>
public sealed class TrainerTrialRunner : ITrialRunner
{
    public IReadOnlyList<int> DetectGpus() => Devices.CudaDevices();

    public TrialOutcome Run(TrialJob job, Action<EpochReport> onEpoch, Action onBatch, CancellationToken cancellation)
    {
        if (job.Command is not null) return CommandTrial.Run(job, onEpoch, onBatch, cancellation);
        if (!KnownTrainers.NeedsData(job.Trainer)) return BuiltinObjectives.Run(job, onEpoch, cancellation);
        if (job.Threads is { } threads) TorchSharp.torch.set_num_threads(threads);
        var data = ShowerData.Shared(job.DataDirectory ?? SyntheticShowers.EnsureCached());
        var result = ShowerTrainer.Train(
            new TrainingRequest(job.Trainer, job.Params, job.Seed, data, job.Device, job.Epochs, job.CheckpointDirectory, job.ArtifactDirectory),
            onEpoch, cancellation, onBatch);
        return new TrialOutcome(result.Metrics, result.Epochs, result.Artifacts);
    }

    public TrialFailure Explain(Exception error, string device) => error switch
    {
        InvalidTrialException => new TrialFailure(error.Message, Retryable: false),
        CommandTrialFailure command => new TrialFailure(command.Message, command.Retryable),
        TrainingDivergedException diverged => new TrialFailure(error.Message, Retryable: true, diverged.Epoch),
        // Another trial on the same device may have held the memory: worth another attempt, within max_failures.
        _ when TrainingErrors.IsOutOfMemory(error) => new TrialFailure($"out of memory on {device}: {TrainingErrors.FirstLine(error)}", Retryable: true),
        _ => new TrialFailure($"{error.GetType().Name}: {TrainingErrors.FirstLine(error)}", Retryable: true),
    };
}
