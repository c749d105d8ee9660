using System.Collections.Immutable;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Core.Tests;

public class MetricReportAndConfirmationTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    private static ArchivedSweep Sweep(string metricExtra = "", ConfirmationPlan? confirms = null, int trials = 1)
    {
        var yaml = Experiments.Sleep(trials, steps: 3).Replace("direction: maximize", "direction: maximize\n" + metricExtra);
        var spec = ExperimentSpecParser.Parse(yaml, "sleep.yml").Spec ?? throw new AssertionException(string.Join("; ", ExperimentSpecParser.Parse(yaml, "sleep.yml").Errors));
        return new ArchivedSweep(new SweepState(new SweepSubmitted("s1", "sleepy", yaml, "sleep.yml", confirms?.TotalTrials ?? trials, 7, null, false, "/runs/s1", At, Confirms: confirms), spec));
    }

    private static void Run(ArchivedSweep sweep, double[] curve)
    {
        var (index, planned) = sweep.State.NextToStart();
        if (planned is not null) sweep.Apply(planned);
        sweep.Apply(new TrialStarted("s1", index, 1, "w", "node", "cpu", [], At));
        for (var e = 0; e < curve.Length; e++) sweep.Apply(new TrialProgressed("s1", index, 1, new EpochPoint(e + 1, null, curve[e], 1)));
        sweep.Apply(new TrialCompleted("s1", index, 1, ImmutableDictionary<string, double>.Empty.Add("value", curve[^1]), 1, null, At));
    }

    [Test]
    public void A_trial_reports_its_last_epoch_by_default_and_its_best_epoch_with_report_best()
    {
        var last = Sweep();
        Run(last, [0.6, 0.9, 0.7]);
        Assert.That(last.Snapshot().Best!.Metrics, Is.EquivalentTo(new Dictionary<string, double> { ["value"] = 0.7 }));

        var best = Sweep("  report: best");
        Run(best, [0.6, 0.9, 0.7]);
        Assert.That(best.Snapshot().Best!.Metrics, Is.EquivalentTo(new Dictionary<string, double> { ["value"] = 0.9, ["best_epoch"] = 2 }));
        Assert.That(best.State.BestValue, Is.EqualTo(0.9));
    }

    [Test]
    public void A_wrong_report_value_names_the_key_and_the_choices()
    {
        var yaml = Experiments.Sleep(1).Replace("direction: maximize", "direction: maximize\n  report: mean");
        var errors = ExperimentSpecParser.Parse(yaml, "sleep.yml").Errors.Select(e => e.ToString()).ToList();
        Assert.That(errors, Has.One.Contains("metric.report").And.Contains("last").And.Contains("best"));
    }

    [Test]
    public void A_confirmation_runs_each_configuration_under_its_seeds_in_order_and_prunes_nothing()
    {
        var a = new ParamValue.Map([KeyValuePair.Create("value", (ParamValue)new ParamValue.Real(0.1))]);
        var b = new ParamValue.Map([KeyValuePair.Create("value", (ParamValue)new ParamValue.Real(0.2))]);
        var sweep = Sweep(confirms: new ConfirmationPlan("src", 3, [new(4, 0.9, a), new(2, 0.8, b)]));
        var planned = new List<TrialPlanned>();
        while (sweep.State.HasTrialToStart)
        {
            var (index, next) = sweep.State.NextToStart();
            planned.Add(next!);
            sweep.Apply(next!);
            sweep.Apply(new TrialStarted("s1", index, 1, "w", "node", "cpu", [], At));
        }
        Assert.That(planned.Select(p => p.Params), Is.EqualTo(new[] { a, a, a, b, b, b }));
        Assert.That(planned.Select(p => p.Seed).Distinct().Count(), Is.EqualTo(6));
        sweep.Apply(new TrialProgressed("s1", 0, 1, new EpochPoint(1, null, -100, 1)));
        Assert.That(sweep.State.ShouldPrune(0), Is.False);
    }

    [Test]
    public void A_verdict_gives_mean_spread_and_chance_of_being_best_and_counts_failures_apart()
    {
        var plan = new ConfirmationPlan("src", 4, [new(4, 0.9, ParamValue.Map.Empty), new(2, 0.8, ParamValue.Map.Empty)]);
        var values = new Dictionary<int, double?> { [0] = 0.5, [1] = 0.7, [2] = 0.6, [3] = null, [4] = 0.9, [5] = 0.8, [6] = 0.85, [7] = 0.95 };
        var trials = values.Select(v => (v.Key, v.Value is null ? TrialStatus.Failed : TrialStatus.Completed,
            (IReadOnlyDictionary<string, double>)(v.Value is { } x ? new Dictionary<string, double> { ["value"] = x } : [])));
        var verdict = ConfirmationVerdict.Of(plan, new MetricSpec("value", MetricDirection.Maximize), trials.ToList());
        var (winner, other) = (verdict.Configurations[0], verdict.Configurations[1]);
        Assert.That((winner.Runs, winner.Failed, other.Runs), Is.EqualTo((3, 1, 4)));
        Assert.That(winner.Mean, Is.EqualTo(0.6).Within(1e-12));
        Assert.That(winner.Std, Is.EqualTo(0.1).Within(1e-12), "sample standard deviation");
        Assert.That(winner.StandardError, Is.EqualTo(0.1 / Math.Sqrt(3)).Within(1e-12));
        Assert.That(other.ProbabilityBest, Is.EqualTo(1.0), "no resample of 0.5-0.7 beats 0.8-0.95");
        Assert.That((verdict.BestSourceTrial, verdict.OriginalWinnerStands, verdict.Complete), Is.EqualTo((2, false, true)));

        var minimized = ConfirmationVerdict.Of(plan, new MetricSpec("value", MetricDirection.Minimize), trials.Take(5).ToList());
        Assert.That((minimized.BestSourceTrial, minimized.OriginalWinnerStands, minimized.Complete), Is.EqualTo((4, true, false)));
    }
}

public class StudyTableTests
{
    [Test]
    public void Overrides_replace_or_add_top_level_keys_and_leave_the_rest_as_it_was()
    {
        var yaml = Experiments.Sleep(3).Replace("sampler: random", "sampler: tpe");
        var changed = ExperimentOverrides.With(yaml, new Dictionary<string, string> { ["sampler"] = "random", ["pruner"] = "none" });
        var (before, after) = (ExperimentSpecParser.Parse(yaml, "x.yml").Spec!, ExperimentSpecParser.Parse(changed, "x.yml").Spec!);
        Assert.That((before.Sampler, before.Pruner), Is.EqualTo((SamplerKind.Tpe, PrunerKind.Median)));
        Assert.That((after.Sampler, after.Pruner), Is.EqualTo((SamplerKind.Random, PrunerKind.None)));
        Assert.That(after with { Sampler = before.Sampler, Pruner = before.Pruner, ParamSpace = before.ParamSpace }, Is.EqualTo(before));
        var random = before with { Sampler = SamplerKind.Random, Pruner = PrunerKind.None };
        Assert.That(Planning.TrialPlanner.Plan(after).Trials.Select(t => t.Params), Is.EqualTo(Planning.TrialPlanner.Plan(random).Trials.Select(t => t.Params)),
            "the same search space");
    }

    [Test]
    public void A_failed_trial_counts_as_zero_and_cancelled_ones_do_not_count()
    {
        TrialSnapshot Trial(int index, TrialStatus status, double? value) => new(index, status, 1, 1, ParamValue.Map.Empty,
            value is { } v ? ImmutableDictionary<string, double>.Empty.Add("test_f1", v) : ImmutableDictionary<string, double>.Empty, [], null, null, null, null, null, null, []);
        var sweep = new SweepSnapshot("s", "CNN", SweepStatus.Completed, new MetricSpec("test_f1", MetricDirection.Maximize), 4, 0,
            [Trial(0, TrialStatus.Completed, 0.9), Trial(1, TrialStatus.Failed, null), Trial(2, TrialStatus.Completed, 0.6), Trial(3, TrialStatus.Cancelled, null)],
            null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "/runs/s");
        var row = StudyRow.Of("convnet", sweep);
        Assert.That((row.Completed, row.Failed, row.Best), Is.EqualTo((2, 1, 0.9)));
        Assert.That(row.Mean, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(row.Std, Is.EqualTo(Math.Sqrt((0.16 + 0.25 + 0.01) / 3)).Within(1e-12));
    }
}
