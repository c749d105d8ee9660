namespace SweepCluster.Training.Trainers;

/// <summary>
/// A trial that cannot run as configured (a missing parameter, a list of the wrong length, a CAE deeper than
/// the image allows). Raised before training starts; running it again would fail the same way.
/// </summary>
/// <param name="missingValue">The trial has no value for a key it needs (rather than a value it cannot take).</param>
public sealed class InvalidTrialException(string message, bool missingValue = false) : Exception(message)
{
    public bool MissingValue { get; } = missingValue;
}

/// <summary>
/// The training loss or the network's outputs stopped being finite numbers: the configuration diverges (usually a
/// too-high learning rate).
/// </summary>
/// <param name="what">What became non-finite: <c>training loss</c>, <c>network's outputs</c>.</param>
public sealed class TrainingDivergedException(int epoch, string what, float value)
    : Exception($"the {what} became {(float.IsNaN(value) ? "NaN" : "infinite")} in epoch {epoch}")
{
    public int Epoch { get; } = epoch;
}
