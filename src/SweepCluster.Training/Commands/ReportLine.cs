using System.Text.Json;

namespace SweepCluster.Training.Commands;

/// <summary>
/// One line of a program's standard output read as the trial contract says: a JSON object holding the metric's name is a
/// report (<c>{"epoch": 3, "test_f1": 0.94, "loss": 0.21}</c>); every other line is log.
/// </summary>
/// <param name="Epoch">The epoch it reports, when the line says.</param>
/// <param name="Metrics">Every number on the line but <c>epoch</c>: the metric, and whatever else the program measured.</param>
public sealed record ReportLine(int? Epoch, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>The report on <paramref name="line"/>, or null for a log line; <paramref name="problem"/> says why a line that looked like a report is not one.</summary>
    /// <param name="metric">The name a report holds; null when any JSON object is one (a single run that names no metric).</param>
    public static ReportLine? Read(string line, string? metric, out string? problem)
    {
        problem = null;
        var text = line.Trim();
        if (!text.StartsWith('{') || metric is null && !text.EndsWith('}') || metric is not null && !text.Contains($"\"{metric}\"", StringComparison.Ordinal)) return null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            problem = $"it is not valid JSON ({e.Message.Split(" Path:", 2)[0].TrimEnd('.')})";
            return null;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            if (metric is not null)
            {
                if (!document.RootElement.TryGetProperty(metric, out var value)) return null;
                if (value.ValueKind != JsonValueKind.Number)
                {
                    problem = $"its \"{metric}\" is {value.ValueKind.ToString().ToLowerInvariant()}, not a number";
                    return null;
                }
            }
            int? epoch = null;
            if (document.RootElement.TryGetProperty("epoch", out var e))
            {
                if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var n) || n < 1)
                {
                    problem = "its \"epoch\" is not a whole number >= 1";
                    return null;
                }
                epoch = n;
            }
            var metrics = new Dictionary<string, double>();
            foreach (var property in document.RootElement.EnumerateObject())
                if (property.Name != "epoch" && property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out var number))
                    metrics[property.Name] = number;
            return new ReportLine(epoch, metrics);
        }
    }
}
