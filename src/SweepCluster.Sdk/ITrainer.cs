namespace SweepCluster.Sdk;

/// <summary>
/// A trainer SweepCluster runs trials with: a public class with a public constructor without parameters, in an assembly the
/// experiment's <c>run:</c> names (<c>run: [bin/MyTrainer.dll]</c>, or <c>bin/MyTrainer.dll:My.Namespace.MyTrainer</c> when the
/// assembly holds several). One instance trains one trial, on a thread of its own; the study's four networks are trainers too.
/// </summary>
public interface ITrainer
{
    /// <summary>
    /// Trains the trial to its end: reports each epoch with <see cref="TrainerContext.Report"/>, stops when
    /// <see cref="TrainerContext.Cancellation"/> fires (throwing <see cref="OperationCanceledException"/>), and throws to fail the
    /// attempt (the message becomes its reason; an <see cref="ArgumentException"/> means the configuration cannot work and is not retried).
    /// </summary>
    void Train(TrainerContext context);
}
