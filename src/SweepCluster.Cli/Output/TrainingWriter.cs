using SweepCluster.Node.Text;
using SweepCluster.Core.Results;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Cli.Output;

/// <summary>Prints one trial's training result for people or as the JSON document scripts read.</summary>
internal static class TrainingWriter
{
    public static void WriteJson(TextWriter output, TrainingRequest request, TrainingResult result) => JsonOutput.Write(output, json =>
    {
        json.WriteStartObject();
        json.WriteString("trainer", request.Trainer);
        json.WriteNumber("seed", request.Seed);
        json.WriteString("device", request.Device);
        json.WritePropertyName("params");
        request.Params.WriteJson(json);
        SweepReport.WriteMetrics(json, result.Metrics);
        SweepReport.WriteEpochs(json, result.Epochs.Select(e => new EpochPoint(e.Epoch, e.TrainLoss, e.Value, e.Seconds)), "test_f1");
        json.WriteNumber("train_samples_per_second", result.TrainSamplesPerSecond);
        json.WriteStartObject("confusion");
        WriteMatrix(json, "train", result.TrainConfusion.NormalizedByTrueClass());
        WriteMatrix(json, "test", result.TestConfusion.NormalizedByTrueClass());
        json.WriteEndObject();
        json.WriteStartObject("artifacts");
        foreach (var (name, path) in result.Artifacts) json.WriteString(name, path);
        json.WriteEndObject();
        json.WriteEndObject();
    });

    public static void WriteTable(TextWriter output, TrainingResult result)
    {
        output.WriteLine();
        TextTable.Write(output, ["metric", "value"],
            [.. result.Metrics.Select(m => (IReadOnlyList<string>)[m.Key, m.Value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)])],
            new HashSet<int> { 1 });
        output.WriteLine($"training speed: {result.TrainSamplesPerSecond:F0} samples/s");
        foreach (var (name, path) in result.Artifacts) output.WriteLine($"{name}: {path}");
    }

    private static void WriteMatrix(System.Text.Json.Utf8JsonWriter json, string name, double[][] matrix)
    {
        json.WriteStartArray(name);
        foreach (var row in matrix)
        {
            json.WriteStartArray();
            foreach (var value in row) json.WriteNumberValue(value);
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }
}
