using System.Diagnostics;
using System.Text.Json;
using SweepCluster.Core.Json;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Sdk;

namespace SweepCluster.Training.Trials;

/// <summary>
/// Runs a trial with an <see cref="ITrainer"/>, built-in or the user's: the job becomes the trainer's <see cref="TrainerContext"/>,
/// and its reports become epochs (<c>loss</c> on the curve, the metric as the epoch's value, <c>seconds</c> and <c>samples</c>
/// when the trainer measured them). The trial's metrics are its <see cref="TrainerContext.Result"/>, else its last report.
/// </summary>
public static class TrainerHost
{
    /// <param name="metric">The metric whose value each report carries.</param>
    /// <param name="checkpointDirectory">Where the trainer may checkpoint; null when this node keeps none for it.</param>
    /// <param name="makeCheckpointDirectory">
    /// False for a trainer that makes the folder itself when it first checkpoints (the built-in objectives): a zero-second trial
    /// spent a fifth of its worker's CPU making and removing a folder it never wrote to.
    /// </param>
    public static TrialOutcome Run(ITrainer trainer, TrialJob job, string metric, string? checkpointDirectory, string? dataDirectory,
        Action<EpochReport> onEpoch, Action<EpochProgress?> onBatch, CancellationToken cancellation, bool makeCheckpointDirectory = true)
    {
        // The folders the context names are there to write to, as a program's are.
        Directory.CreateDirectory(job.ArtifactDirectory);
        if (checkpointDirectory is not null && makeCheckpointDirectory) Directory.CreateDirectory(checkpointDirectory);
        var epochs = new List<EpochReport>();
        IReadOnlyDictionary<string, double>? last = null;
        var since = Stopwatch.GetTimestamp();
        var context = new TrainerContext(JsonSerializer.Serialize(job.Params, SweepJson.Stored), job.Seed, job.Device, job.Epochs, job.ArtifactDirectory,
            checkpointDirectory, dataDirectory, job.Threads ?? 1, cancellation, (epoch, metrics) =>
            {
                if (!metrics.TryGetValue(metric, out var value) && metric != MetricSpec.ExitStatus)
                    throw new ArgumentException($"the trainer reported epoch {epoch} without {metric} (it reported {string.Join(", ", metrics.Keys)})");
                var seconds = metrics.TryGetValue("seconds", out var s) ? s : Stopwatch.GetElapsedTime(since).TotalSeconds;
                since = Stopwatch.GetTimestamp();
                var report = new EpochReport(epoch, metrics.GetValueOrDefault("loss", value), value, seconds, (long)metrics.GetValueOrDefault("samples", 0));
                onEpoch(report);
                epochs.Add(report);
                last = metrics;
            }, () => onBatch(null), (epoch, samples, epochSamples) => onBatch(new EpochProgress(epoch, samples, epochSamples)));
        trainer.Train(context);
        cancellation.ThrowIfCancellationRequested();
        // A single run naming no metric has one value: the trainer returned.
        if (metric == MetricSpec.ExitStatus) return Outcome(new Dictionary<string, double>(context.FinalMetrics ?? last ?? new Dictionary<string, double>()) { [metric] = 0 }, epochs, context);
        return Outcome(context.FinalMetrics ?? last ?? throw new ArgumentException($"the trainer ended without reporting {metric}"), epochs, context);
    }

    private static TrialOutcome Outcome(IReadOnlyDictionary<string, double> result, List<EpochReport> epochs, TrainerContext context) =>
        new(result.Where(m => m.Key is not ("seconds" or "samples")).ToDictionary(), epochs, new Dictionary<string, string>()) { Warnings = context.Warnings };
}
