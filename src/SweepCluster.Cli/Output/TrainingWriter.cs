using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Node.Text;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Cli.Output;

/// <summary>Prints one trial's training result for people or as the JSON document scripts read.</summary>
internal static class TrainingWriter
{
    public static void WriteJson(TextWriter output, TrainingRequest request, TrainingResult result) => JsonOutput.Write(output, new TrainingDocument(
        request.Trainer, request.Seed, request.Device, request.Params, new MetricValues(result.Metrics),
        [.. result.Epochs.Select(e => EpochDocument.Of(new EpochPoint(e.Epoch, e.TrainLoss, e.Value, e.Seconds), "test_f1"))],
        result.TrainSamplesPerSecond,
        new ConfusionDocument(result.TrainConfusion.NormalizedByTrueClass(), result.TestConfusion.NormalizedByTrueClass()),
        result.Artifacts));

    /// <summary><c>sweepctl train --format json</c>.</summary>
    private sealed record TrainingDocument(
        string Trainer, long Seed, string Device, ParamValue.Map Params, MetricValues Metrics, IReadOnlyList<EpochDocument> Epochs,
        double TrainSamplesPerSecond, ConfusionDocument Confusion, IReadOnlyDictionary<string, string> Artifacts);

    /// <summary>Confusion matrices normalised by true class: rows are the true class, columns the predicted one.</summary>
    private sealed record ConfusionDocument(double[][] Train, double[][] Test);

    /// <summary><c>sweepctl train --format json</c> of the user's program: its metrics and epochs as trial.json names them.</summary>
    public static void WriteJson(TextWriter output, TrialJob job, TrialOutcome outcome) => JsonOutput.Write(output, new ProgramTrainingDocument(
        job.Trainer, job.Seed, job.Device, job.Params, new MetricValues(outcome.Metrics),
        [.. outcome.Epochs.Select(e => EpochDocument.Of(new EpochPoint(e.Epoch, double.IsFinite(e.TrainLoss) ? e.TrainLoss : null, e.Value, e.Seconds), job.Command!.Metric))],
        outcome.Artifacts, job.ArtifactDirectory));

    private sealed record ProgramTrainingDocument(
        string Trainer, long Seed, string Device, ParamValue.Map Params, MetricValues Metrics, IReadOnlyList<EpochDocument> Epochs,
        IReadOnlyDictionary<string, string> Artifacts, string Folder);

    public static void WriteTable(TextWriter output, TrialOutcome outcome)
    {
        WriteMetrics(output, outcome.Metrics);
        foreach (var (name, path) in outcome.Artifacts) output.WriteLine($"{name}: {path}");
    }

    public static void WriteTable(TextWriter output, TrainingResult result)
    {
        WriteMetrics(output, result.Metrics);
        output.WriteLine($"training speed: {result.TrainSamplesPerSecond:F0} samples/s");
        foreach (var (name, path) in result.Artifacts) output.WriteLine($"{name}: {path}");
    }

    private static void WriteMetrics(TextWriter output, IReadOnlyDictionary<string, double> metrics)
    {
        output.WriteLine();
        TextTable.Write(output, ["metric", "value"],
            [.. metrics.Select(m => (IReadOnlyList<string>)[m.Key, m.Value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)])],
            new HashSet<int> { 1 });
    }
}
