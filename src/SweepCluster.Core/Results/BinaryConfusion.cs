namespace SweepCluster.Core.Results;

/// <summary>Counts of a two-class classifier; class 1 (proton) is the positive class, as in the study.</summary>
public readonly record struct BinaryConfusion(long TrueNegatives, long FalsePositives, long FalseNegatives, long TruePositives)
{
    public long Total => TrueNegatives + FalsePositives + FalseNegatives + TruePositives;

    public double Accuracy => Total == 0 ? 0 : (double)(TruePositives + TrueNegatives) / Total;

    /// <summary>Binary F1 over the whole set (not averaged per batch); 0 when there is nothing positive at all.</summary>
    public double F1 => 2 * TruePositives + FalsePositives + FalseNegatives == 0
        ? 0
        : 2.0 * TruePositives / (2 * TruePositives + FalsePositives + FalseNegatives);

    /// <summary>Rows are the true class, columns the predicted one; each row sums to 1 (or 0 for an absent class).</summary>
    public double[][] NormalizedByTrueClass()
    {
        static double[] Row(long a, long b) => a + b == 0 ? [0, 0] : [(double)a / (a + b), (double)b / (a + b)];
        return [Row(TrueNegatives, FalsePositives), Row(FalseNegatives, TruePositives)];
    }

    /// <summary>The counts, laid out as <see cref="NormalizedByTrueClass"/>.</summary>
    public long[][] Counts() => [[TrueNegatives, FalsePositives], [FalseNegatives, TruePositives]];

    public BinaryConfusion Add(int truth, int predicted) => (truth, predicted) switch
    {
        (0, 0) => this with { TrueNegatives = TrueNegatives + 1 },
        (0, _) => this with { FalsePositives = FalsePositives + 1 },
        (_, 0) => this with { FalseNegatives = FalseNegatives + 1 },
        _ => this with { TruePositives = TruePositives + 1 },
    };
}

/// <summary>
/// <c>confusion.json</c>, beside a network trial's artifacts: the train and test confusion matrices, rows the true class
/// (0 = iron, 1 = proton), columns the predicted one, as rates by true class and (added after release v1) as counts.
/// </summary>
public sealed record ConfusionFile(string Rows, string Columns, double[][] Train, double[][] Test, long[][]? TrainCounts = null, long[][]? TestCounts = null)
{
    public static readonly string[] ClassNames = ["iron", "proton"];

    public static ConfusionFile Of(BinaryConfusion train, BinaryConfusion test) =>
        new("true class (0 = iron, 1 = proton)", "predicted class", train.NormalizedByTrueClass(), test.NormalizedByTrueClass(), train.Counts(), test.Counts());
}
