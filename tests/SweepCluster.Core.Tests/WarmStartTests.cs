using System.Collections.Immutable;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Core.Tests;

public class WarmStartTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;
    private static readonly MetricSpec Value = new("value", MetricDirection.Maximize);

    private static ExperimentSpec Spec(string space, string sampler = "tpe") =>
        Specs.Parse(Experiments.Sleep(20).Replace("sampler: random", $"sampler: {sampler}").Replace("  value: uniform(0, 1)", space));

    private static TrialDocument Trial(int index, TrialStatus status, double? value, params (string Key, ParamValue Value)[] parameters) =>
        new(index, status, 1, index, new ParamValue.Map([.. parameters.Select(p => KeyValuePair.Create(p.Key, p.Value))]),
            new MetricValues(value is { } v ? [KeyValuePair.Create("value", v)] : []), 1, "node", "cpu", At, 1, null, null, null);

    private static (string, ParamValue) X(double x) => ("x", new ParamValue.Real(x));

    [Test]
    public void Trials_that_fit_the_new_space_are_used_and_the_others_are_named_with_the_reason()
    {
        var spec = Spec("  x: uniform(0, 0.5)\n  bs: choice([32, 64])");
        var earlier = new[]
        {
            Trial(0, TrialStatus.Completed, 0.3, X(0.25), ("bs", new ParamValue.Int(32))),
            Trial(1, TrialStatus.Completed, 0.9, X(0.75), ("bs", new ParamValue.Int(32))),
            Trial(2, TrialStatus.Completed, 0.4, X(0.4)),
            Trial(3, TrialStatus.Pruned, 0.1, X(0.1), ("bs", new ParamValue.Int(64))),
            Trial(4, TrialStatus.Failed, null, X(0.2), ("bs", new ParamValue.Int(64))),
            Trial(5, TrialStatus.Completed, 0.2, X(0.2), ("bs", new ParamValue.Int(128))),
        };
        var (report, error) = WarmStart.Decide(spec, [new WarmStartSource("1a2b3c4d", Value, earlier)]);
        Assert.That(error, Is.Null);
        Assert.That(report!.Used.Select(t => (t.Index, t.Value)), Is.EqualTo(new[] { (0, 0.3), (3, 0.1) }), "completed and pruned trials that fit; a failed one has no result");
        Assert.That(report.NotUsed, Is.EqualTo(new[]
        {
            "trial 1 of 1a2b3c4d: x=0.75 is not a value of uniform(0, 0.5)",
            "trial 2 of 1a2b3c4d: it has no value for bs",
            "trial 5 of 1a2b3c4d: bs=128 is not a value of choice([32, 64])",
        }));
        Assert.That(report.Summary(), Is.EqualTo(new WarmStartSummary(["1a2b3c4d"], 2, 3, report.NotUsed)));
    }

    [Test]
    public void A_trial_that_took_a_branch_is_checked_against_that_branch_only()
    {
        var spec = Spec("  optimizer:\n    choice:\n      - {name: adam}\n      - name: sgd\n        momentum: uniform(0, 0.99)");
        ParamValue Optimizer(string name, double? momentum = null) => new ParamValue.Map(
            [KeyValuePair.Create("name", (ParamValue)new ParamValue.Text(name)), .. momentum is { } m ? [KeyValuePair.Create("momentum", (ParamValue)new ParamValue.Real(m))] : Array.Empty<KeyValuePair<string, ParamValue>>()]);
        var (report, _) = WarmStart.Decide(spec, [new WarmStartSource("s0", Value,
        [
            Trial(0, TrialStatus.Completed, 0.5, ("optimizer", Optimizer("adam"))),
            Trial(1, TrialStatus.Completed, 0.5, ("optimizer", Optimizer("sgd", 0.9))),
            Trial(2, TrialStatus.Completed, 0.5, ("optimizer", Optimizer("sgd"))),
            Trial(3, TrialStatus.Completed, 0.5, ("optimizer", Optimizer("rmsprop"))),
        ])]);
        Assert.That(report!.Used.Select(t => t.Index), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(report.NotUsed, Is.EqualTo(new[]
        {
            "trial 2 of s0: it has no value for optimizer.momentum",
            "trial 3 of s0: optimizer=rmsprop is not a value of choice(['adam', 'sgd'])",
        }));
    }

    [Test]
    public void A_sweep_of_another_metric_cannot_warm_start()
    {
        var (report, error) = WarmStart.Decide(Spec("  x: uniform(0, 1)"), [new WarmStartSource("s0", new MetricSpec("value", MetricDirection.Minimize), [])]);
        Assert.That((report, error), Is.EqualTo(((WarmStartReport?)null, "sweep s0 measures value (minimize) and this experiment value (maximize): its results cannot guide this search")));
    }

    [Test]
    public void A_warm_started_tpe_sweep_is_guided_from_its_first_trial_and_its_table_stays_its_own()
    {
        var spec = Spec("  x: uniform(0, 1)");
        var yaml = Experiments.Sleep(20).Replace("sampler: random", "sampler: tpe").Replace("  value: uniform(0, 1)", "  x: uniform(0, 1)");
        // Twenty earlier results: the higher x, the better.
        var earlier = Enumerable.Range(0, 20).Select(i => Trial(i, TrialStatus.Completed, i / 20.0, X(i / 20.0))).ToList();
        var (report, _) = WarmStart.Decide(spec, [new WarmStartSource("s0", Value, earlier)]);
        double[] FirstFive(WarmStartReport? warm)
        {
            var sweep = new ArchivedSweep(new SweepState(new SweepSubmitted("s1", "warm", yaml, "w.yml", 20, 7, null, false, "/runs/s1", At, WarmStart: warm), spec));
            var xs = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var (index, planned) = sweep.State.NextToStart();
                sweep.Apply(planned!);
                sweep.Apply(new TrialStarted("s1", index, 1, "w", "node", "cpu", [], At));
                xs.Add(sweep.State.Trial(index).Params["x"]!.AsNumber()!.Value);
                sweep.Apply(new TrialCompleted("s1", index, 1, ImmutableDictionary<string, double>.Empty.Add("value", xs[^1]), 1, null, At));
            }
            Assert.That(sweep.Snapshot().Trials.Select(t => t.Index), Is.EqualTo(Enumerable.Range(0, 5)), "only its own trials are in its table");
            Assert.That(sweep.State.Overview().Header.WarmStart, Is.EqualTo(warm?.Summary()));
            return [.. xs];
        }
        Assert.That(FirstFive(report).Min(), Is.GreaterThan(0.6), "TPE models the earlier results from the first trial");
        Assert.That(FirstFive(null).Min(), Is.LessThan(0.6), "without them the first trials are random start-up trials");
    }

    [Test]
    public void Warm_start_sources_are_read_from_the_experiment_file()
    {
        Assert.That(Specs.Parse(Experiments.Sleep(2) + "\nwarm_start: 1a2b3c4d").WarmStart, Is.EqualTo(new[] { "1a2b3c4d" }));
        Assert.That(Specs.Parse(Experiments.Sleep(2) + "\nwarm_start: [1a2b3c4d, simple-cnn-5e6f7a8b]").WarmStart, Is.EqualTo(new[] { "1a2b3c4d", "simple-cnn-5e6f7a8b" }));
        Assert.That(Specs.Errors(Experiments.Sleep(2) + "\nwarm_start: [1a2b3c4d, {id: 3}]").Single().ToString(),
            Does.StartWith("warm_start[1]: names an earlier sweep by its id (warm_start: 1a2b3c4d) or run folder; several in a list"));
    }
}
