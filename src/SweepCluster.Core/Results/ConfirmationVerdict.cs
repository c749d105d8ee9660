using System.Collections.Immutable;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Core.Results;

/// <summary>One configuration's runs under new seeds.</summary>
/// <param name="Runs">Completed runs; <paramref name="Failed"/> counts the others that ended (failed, pruned, cancelled).</param>
/// <param name="StandardError">The standard deviation over the square root of the runs: how far the mean may be from the configuration's true mean.</param>
/// <param name="ProbabilityBest">The share of bootstrap resamples in which this configuration has the best mean.</param>
public sealed record ConfirmedResult(
    int SourceTrial,
    double SourceValue,
    int Runs,
    int Failed,
    double? Mean,
    double? Std,
    double? StandardError,
    double ProbabilityBest,
    ParamValue.Map Params);

/// <summary>
/// What a confirmation sweep found: per configuration the mean, standard deviation and standard error of the metric over
/// its seeds, and the probability that it is the best, estimated by resampling each configuration's runs with replacement
/// (a seeded bootstrap, <see cref="Resamples"/> times). The original winner stands when it still has the best mean.
/// </summary>
/// <param name="Complete">Every trial of the confirmation has ended; before that the figures are partial.</param>
public sealed record ConfirmationVerdict(
    string SourceSweepId,
    int Seeds,
    ImmutableArray<ConfirmedResult> Configurations,
    int? BestSourceTrial,
    bool OriginalWinnerStands,
    int Resamples,
    bool Complete)
{
    public const int BootstrapResamples = 10_000;

    public static ConfirmationVerdict Of(ConfirmationPlan plan, MetricSpec metric, IEnumerable<(int Index, TrialStatus Status, IReadOnlyDictionary<string, double> Metrics)> trials)
    {
        var values = plan.Configurations.Select(_ => new List<double>()).ToArray();
        var failed = new int[plan.Configurations.Length];
        var ended = 0;
        foreach (var (index, status, metrics) in trials)
        {
            if (status is TrialStatus.Pending or TrialStatus.Running) continue;
            ended++;
            var configuration = plan.ConfigurationOf(index);
            if (status == TrialStatus.Completed && metrics.TryGetValue(metric.Name, out var value)) values[configuration].Add(value);
            else failed[configuration]++;
        }
        var wins = Bootstrap(values, metric.Direction);
        var results = plan.Configurations.Select((c, k) =>
        {
            var runs = values[k];
            double? mean = runs.Count > 0 ? runs.Average() : null;
            double? std = runs.Count > 1 ? Math.Sqrt(runs.Sum(v => (v - mean!.Value) * (v - mean.Value)) / (runs.Count - 1)) : null;
            return new ConfirmedResult(c.SourceTrial, c.SourceValue, runs.Count, failed[k], mean, std, std / Math.Sqrt(runs.Count),
                (double)wins[k] / BootstrapResamples, c.Params);
        }).ToImmutableArray();
        var best = results.Where(r => r.Mean is not null).OrderByDescending(r => metric.Direction.Goodness(r.Mean!.Value)).FirstOrDefault();
        return new ConfirmationVerdict(plan.SourceSweepId, plan.Seeds, results, best?.SourceTrial,
            best is not null && best.SourceTrial == plan.Configurations[0].SourceTrial, BootstrapResamples, ended == plan.TotalTrials);
    }

    /// <summary>How often each configuration's resampled mean is the best; seeded, so a verdict reads the same every time.</summary>
    private static int[] Bootstrap(List<double>[] values, MetricDirection direction)
    {
        var wins = new int[values.Length];
        var random = new SplitMix64(0x636f6e6669726dUL);
        for (var b = 0; b < BootstrapResamples; b++)
        {
            var (bestK, bestMean) = (-1, double.NegativeInfinity);
            for (var k = 0; k < values.Length; k++)
            {
                var runs = values[k];
                if (runs.Count == 0) continue;
                var sum = 0.0;
                for (var i = 0; i < runs.Count; i++) sum += runs[(int)random.NextInt64Inclusive(0, runs.Count - 1)];
                var mean = direction.Goodness(sum / runs.Count);
                if (mean > bestMean) (bestK, bestMean) = (k, mean);
            }
            if (bestK >= 0) wins[bestK]++;
        }
        return wins;
    }
}
