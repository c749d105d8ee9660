using System.Globalization;
using System.Text.Json;
using SweepCluster.Sdk;

namespace Examples;

/// <summary>
/// Logistic regression by gradient descent on a seeded synthetic set: a complete trainer in a few lines. It reads its
/// parameters, reports val_accuracy and loss after each epoch, resumes from its checkpoint, and keeps its weights.
/// </summary>
public sealed class LogisticTrainer : ITrainer
{
    public void Train(TrainerContext context)
    {
        var lr = context.Number("lr");
        var l2 = context.Number("l2");
        var epochs = context.Epochs ?? (int)context.Integer("epochs");
        var (train, test) = (Points(1000, seed: 1), Points(500, seed: 2)); // the data is the same for every trial: only the seed of training varies
        var weights = new double[3];
        var first = 1;
        var checkpoint = context.CheckpointDirectory is { } folder ? Path.Combine(folder, "weights.json") : null;
        if (checkpoint is not null && File.Exists(checkpoint))
        {
            var saved = JsonSerializer.Deserialize<Saved>(File.ReadAllText(checkpoint))!;
            (weights, first) = (saved.Weights, saved.Epoch + 1);
        }
        for (var epoch = first; epoch <= epochs; epoch++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var loss = 0.0;
            foreach (var (x, y, label) in train)
            {
                var p = Sigmoid(weights[0] + weights[1] * x + weights[2] * y);
                loss -= label * Math.Log(p + 1e-12) + (1 - label) * Math.Log(1 - p + 1e-12);
                var error = p - label;
                weights[0] -= lr * error;
                weights[1] -= lr * (error * x + l2 * weights[1]);
                weights[2] -= lr * (error * y + l2 * weights[2]);
            }
            var accuracy = test.Count(t => (Sigmoid(weights[0] + weights[1] * t.X + weights[2] * t.Y) > 0.5 ? 1 : 0) == t.Label) / (double)test.Count;
            context.Report(epoch, new Dictionary<string, double> { ["val_accuracy"] = accuracy, ["loss"] = loss / train.Count });
            if (checkpoint is not null) File.WriteAllText(checkpoint, JsonSerializer.Serialize(new Saved(weights, epoch)));
        }
        File.WriteAllText(Path.Combine(context.TrialDirectory, "weights.txt"), string.Join(" ", weights.Select(w => w.ToString("R", CultureInfo.InvariantCulture))));
    }

    private sealed record Saved(double[] Weights, int Epoch);

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>Two overlapping Gaussian clouds: the best line separates about 90 % of them.</summary>
    private static List<(double X, double Y, int Label)> Points(int count, int seed)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return [.. Enumerable.Range(0, count).Select(i => i % 2 == 0 ? (1 + Gaussian(), 1 + Gaussian(), 1) : (-1 + Gaussian(), -1 + Gaussian(), 0))];
    }
}
