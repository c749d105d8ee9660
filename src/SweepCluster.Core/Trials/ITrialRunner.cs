namespace SweepCluster.Core.Trials;

/// <summary>
/// What a worker runs trials with. The node host provides it (the TorchSharp trainers and the built-in objectives),
/// so the actors never load a trainer: a coordinator-only node carries no libtorch.
/// </summary>
public interface ITrialRunner
{
    /// <summary>The GPU ids this machine has, for <c>--gpus auto</c>.</summary>
    IReadOnlyList<int> DetectGpus();

    /// <summary>Runs one attempt to the end on the calling thread; throws when it fails.</summary>
    /// <param name="onBatch">
    /// Called after each trained batch (a program's line of output): the attempt is alive even in a long epoch; with how far
    /// the epoch has got when the trainer says.
    /// </param>
    TrialOutcome Run(TrialJob job, Action<EpochReport> onEpoch, Action<EpochProgress?> onBatch, CancellationToken cancellation);

    /// <summary>What an exception from <see cref="Run"/> means for the attempt: its one-line reason and whether another attempt could help.</summary>
    TrialFailure Explain(Exception error, string device);
}

/// <param name="DivergedAtEpoch">The epoch whose training loss became NaN, when that was the failure: NaN at the same epoch again is deterministic.</param>
public sealed record TrialFailure(string Reason, bool Retryable, int? DivergedAtEpoch = null);
