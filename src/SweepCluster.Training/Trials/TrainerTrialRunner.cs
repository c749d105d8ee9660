using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Sdk;
using SweepCluster.Training.Commands;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Training.Trials;

/// <summary>Runs trials with their trainer: a network on shower data, a built-in objective, or the user's program. Synchronous: call it on a thread of its own.</summary>
public sealed class TrainerTrialRunner : ITrialRunner
{
    public IReadOnlyList<int> DetectGpus() => Devices.CudaDevices();

    public TrialOutcome Run(TrialJob job, Action<EpochReport> onEpoch, Action<EpochProgress?> onBatch, CancellationToken cancellation)
    {
        if (job.Command is { RunsAssembly: true } assembly)
            return TrainerHost.Run(AssemblyTrainers.Create(assembly.CodeDirectory, assembly.Commands[0]), job, assembly.Metric,
                job.CheckpointDirectory ?? Path.Combine(job.ArtifactDirectory, "checkpoint"), assembly.DataFolder(job.DataDirectory), onEpoch, onBatch, cancellation);
        if (job.Command is not null) return CommandTrial.Run(job, onEpoch, onBatch, cancellation);
        // The built-ins plug into the same seam as a user's trainer.
        ITrainer trainer = KnownTrainers.NeedsData(job.Trainer) ? new NetworkTrainer(job.Trainer) : new ObjectiveTrainer(job.Trainer);
        return TrainerHost.Run(trainer, job, KnownTrainers.NeedsData(job.Trainer) ? "test_f1" : "value", job.CheckpointDirectory, job.DataDirectory,
            onEpoch, onBatch, cancellation);
    }

    public TrialFailure Explain(Exception error, string device) => error switch
    {
        InvalidTrialException or TrainerLoadException => new TrialFailure(error.Message, Retryable: false),
        // A trainer's way of saying the configuration cannot work (the SDK's contract): it would fail the same way again.
        ArgumentException => new TrialFailure(error.Message, Retryable: false),
        CommandTrialFailure command => new TrialFailure(command.Message, command.Retryable),
        TrainingDivergedException diverged => new TrialFailure(error.Message, Retryable: true, diverged.Epoch),
        // Another trial on the same device may have held the memory: worth another attempt, within max_failures.
        _ when TrainingErrors.IsOutOfMemory(error) => new TrialFailure($"out of memory on {device}: {TrainingErrors.FirstLine(error)}", Retryable: true),
        _ => new TrialFailure($"{error.GetType().Name}: {TrainingErrors.FirstLine(error)}", Retryable: true),
    };
}
