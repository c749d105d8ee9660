namespace SweepCluster.Training.Trainers;

/// <summary>
/// A trial that cannot run as configured (a missing parameter, a list of the wrong length, a CAE deeper than
/// the image allows). Raised before training starts; running it again would fail the same way.
/// </summary>
public sealed class InvalidTrialException(string message) : Exception(message);

/// <summary>The training loss stopped being a finite number: the configuration diverges (usually a too-high learning rate).</summary>
public sealed class TrainingDivergedException(int epoch, float loss) : Exception($"the training loss became {(float.IsNaN(loss) ? "NaN" : "infinite")} in epoch {epoch}")
{
    public int Epoch { get; } = epoch;
}
