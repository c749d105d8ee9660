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

    public TrialOutcome Run(TrialJob job, Action<EpochReport> onEpoch, Action<EpochProgress?> onBatch, CancellationToken cancellation)
    {
        if (job.Command is { RunsAssembly: true } assembly)
            return TrainerHost.Run(AssemblyTrainers.Create(assembly.CodeDirectory, assembly.Commands[0]), job, assembly.Metric,
                job.CheckpointDirectory ?? Path.Combine(job.ArtifactDirectory, "checkpoint"), assembly.DataFolder(job.DataDirectory), onEpoch, onBatch, cancellation)
                with
            { DataFolder = assembly.DataFolder(job.DataDirectory), Runtime = CommandRuntime.DotNet };
        if (job.Command is { } command)
            return CommandTrial.Run(job, onEpoch, onBatch, cancellation) with { DataFolder = command.DataFolder(job.DataDirectory), Runtime = CommandRuntime.Of(command) };
        if (!KnownTrainers.NeedsData(job.Trainer))
            return TrainerHost.Run(new ObjectiveTrainer(job.Trainer), job, "value", job.CheckpointDirectory, null, onEpoch, onBatch, cancellation,
                makeCheckpointDirectory: false);
        // The networks plug into the same seam as a user's trainer; the data they read is the node's, else the cached synthetic set.
        var data = job.DataDirectory ?? SyntheticShowers.EnsureCached();
        return TrainerHost.Run(new NetworkTrainer(job.Trainer), job, "test_f1", job.CheckpointDirectory, data, onEpoch, onBatch, cancellation)
            with
        { DataFolder = data, Runtime = TorchRuntime };
    }

    private static readonly string TorchRuntime = $"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3)}";

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
