using System.Text;
using System.Text.Json;

namespace SweepCluster.Core.Results;

/// <summary>
/// The JSON shapes of sweeps and trials, the same in <c>sweep.json</c>, <c>sweepctl run --format json</c> and the
/// command endpoint: <c>{"name", "metric", "trials": [...], "best": {...}, "summary": {...}}</c>.
/// </summary>
public static class SweepReport
{
    public static string ToJson(SweepSnapshot sweep) => Json(w => WriteSweep(w, sweep));

    public static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true })) write(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static void WriteSweep(Utf8JsonWriter w, SweepSnapshot sweep)
    {
        w.WriteStartObject();
        WriteHeader(w, sweep);
        w.WriteStartArray("trials");
        foreach (var trial in sweep.Trials) WriteTrial(w, trial);
        w.WriteEndArray();
        w.WritePropertyName("best");
        WriteBest(w, sweep.Best);
        w.WriteEndObject();
    }

    /// <summary>Everything but the trials: id, name, state, metric, counts, pending reason, summary.</summary>
    public static void WriteHeader(Utf8JsonWriter w, SweepSnapshot sweep)
    {
        w.WriteString("id", sweep.Id);
        w.WriteString("name", sweep.Name);
        w.WriteString("state", Lower(sweep.Status));
        w.WriteStartObject("metric");
        w.WriteString("name", sweep.Metric.Name);
        w.WriteString("direction", Lower(sweep.Metric.Direction));
        w.WriteEndObject();
        w.WriteNumber("total_trials", sweep.TotalTrials);
        w.WriteNumber("done", sweep.Done);
        w.WriteNumber("running", sweep.Running);
        w.WriteNumber("pending", sweep.Pending);
        WriteOptional(w, "pending_reason", sweep.PendingReason);
        w.WriteString("submitted_at", sweep.SubmittedAt);
        if (sweep.EndedAt is { } ended) w.WriteString("ended_at", ended);
        w.WriteString("run_directory", sweep.RunDirectory);
        var summary = sweep.Summary;
        w.WriteStartObject("summary");
        w.WriteNumber("completed", summary.Completed);
        w.WriteNumber("failed", summary.Failed);
        w.WriteNumber("pruned", summary.Pruned);
        w.WriteNumber("cancelled", summary.Cancelled);
        WriteOptional(w, "max", summary.Max);
        WriteOptional(w, "mean", summary.Mean);
        WriteOptional(w, "std", summary.Std);
        w.WriteEndObject();
    }

    public static void WriteTrial(Utf8JsonWriter w, TrialSnapshot trial)
    {
        w.WriteStartObject();
        w.WriteNumber("index", trial.Index);
        w.WriteString("status", Lower(trial.Status));
        w.WriteNumber("attempt", trial.Attempt);
        w.WriteNumber("seed", trial.Seed);
        w.WritePropertyName("params");
        trial.Params.WriteJson(w);
        WriteMetrics(w, trial.Metrics);
        WriteOptional(w, "epoch", trial.Epochs.Length > 0 ? trial.Epochs[^1].Epoch : null);
        WriteOptional(w, "node", trial.Node);
        WriteOptional(w, "device", trial.Device);
        if (trial.StartedAt is { } started) w.WriteString("started_at", started);
        WriteOptional(w, "duration_seconds", trial.DurationSeconds);
        WriteOptional(w, "reason", trial.Reason);
        if (trial.FailedAttempts.Length > 0)
        {
            w.WriteStartArray("failed_attempts");
            foreach (var failure in trial.FailedAttempts) w.WriteStringValue(failure);
            w.WriteEndArray();
        }
        WriteOptional(w, "artifacts", trial.ArtifactDirectory);
        w.WriteEndObject();
    }

    /// <summary>The best trial's index, params, metrics and artifact location; null when no trial completed.</summary>
    public static void WriteBest(Utf8JsonWriter w, TrialSnapshot? best)
    {
        if (best is null)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartObject();
        w.WriteNumber("index", best.Index);
        w.WritePropertyName("params");
        best.Params.WriteJson(w);
        WriteMetrics(w, best.Metrics);
        WriteOptional(w, "artifacts", best.ArtifactDirectory);
        w.WriteEndObject();
    }

    /// <summary><c>"metrics": {"name": value, ...}</c>, names in order.</summary>
    public static void WriteMetrics(Utf8JsonWriter w, IEnumerable<KeyValuePair<string, double>> metrics)
    {
        w.WriteStartObject("metrics");
        foreach (var (name, value) in metrics.OrderBy(m => m.Key, StringComparer.Ordinal)) w.WriteNumber(name, value);
        w.WriteEndObject();
    }

    /// <summary><c>"epochs": [{"epoch", "train_loss", VALUE_NAME, "seconds"}, ...]</c>; the value is named for what it measures.</summary>
    public static void WriteEpochs(Utf8JsonWriter w, IEnumerable<EpochPoint> epochs, string valueName)
    {
        w.WriteStartArray("epochs");
        foreach (var e in epochs)
        {
            w.WriteStartObject();
            w.WriteNumber("epoch", e.Epoch);
            if (e.Loss is { } loss) w.WriteNumber("train_loss", loss);
            w.WriteNumber(valueName, e.Value);
            w.WriteNumber("seconds", e.Seconds);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
