using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Core.Tests;

public class EnqueueTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;
    private const string Space = "  lr: loguniform(0.0001, 0.01)\n  bs: randint(16, 512)\n  opt: choice(['adam', 'sgd'])\n  out_channels: [randint(4, 16), randint(8, 32)]";

    private static ArchivedSweep NewSweep(int trials, string sampler = "tpe")
    {
        var yaml = Specs.WithSpace(Space, trials, sampler).Replace("kind: group", "kind: group\nparams:\n  epochs: 5");
        return new ArchivedSweep(new SweepState(new SweepSubmitted("s1", "test", yaml, "test.yml", trials, 7, null, false, "/runs/s1", At), Specs.Parse(yaml)));
    }

    private static ParamValue.Map Plan(ArchivedSweep sweep)
    {
        var (index, planned) = sweep.State.NextToStart();
        sweep.Apply(planned!);
        sweep.Apply(new TrialStarted("s1", index, 1, "w", "node", "cpu", [], At));
        return sweep.State.Trial(index).Params;
    }

    private static TrialEnqueued Enqueue(ArchivedSweep sweep, params (string Path, string Value)[] values)
    {
        var (enqueued, errors) = sweep.State.DecideEnqueue(values.ToDictionary(v => v.Path, v => v.Value));
        Assert.That(errors, Is.Empty);
        sweep.Apply(enqueued!);
        return enqueued!;
    }

    [Test]
    public void An_enqueued_configuration_runs_before_the_samplers_next_suggestion_and_the_rest_is_sampled()
    {
        var sweep = NewSweep(4);
        Plan(sweep);
        Enqueue(sweep, ("lr", "0.002"), ("bs", "128"), ("out_channels[1]", "20"));
        Assert.That(sweep.State.NextToStart().Planned!.Enqueued);
        var next = Plan(sweep);
        Assert.That((next["lr"], next["bs"], ((ParamValue.List)next["out_channels"]!).Items[1]),
            Is.EqualTo(((ParamValue)new ParamValue.Real(0.002), (ParamValue)new ParamValue.Int(128), (ParamValue)new ParamValue.Int(20))));
        Assert.That(next["epochs"], Is.EqualTo(new ParamValue.Int(5)), "fixed params stay");
        Assert.That(new[] { "adam", "sgd" }, Does.Contain(((ParamValue.Text)next["opt"]!).Value), "what was not given is sampled");
        Assert.That(Plan(sweep)["lr"], Is.Not.EqualTo(new ParamValue.Real(0.002)), "the queue is empty again: the sampler decides");
    }

    [Test]
    public void Values_outside_a_dimension_unknown_dimensions_and_fixed_params_are_refused_by_name()
    {
        var sweep = NewSweep(4);
        var (enqueued, errors) = sweep.State.DecideEnqueue(new Dictionary<string, string>
        {
            ["lr"] = "0.5",
            ["bs"] = "100.5",
            ["opt"] = "rmsprop",
            ["epochs"] = "3",
            ["b"] = "20",
            ["out_channels[0]"] = "3",
        });
        Assert.That(enqueued, Is.Null);
        Assert.That(errors, Is.EquivalentTo(new[]
        {
            "lr=0.5: not a value of loguniform(0.0001, 0.01)",
            "bs=100.5: not a value of randint(16, 512)",
            "opt=rmsprop: not a value of choice(['adam', 'sgd'])",
            "epochs is fixed in params (5): only param_space dimensions can be set",
            "b: no such dimension; did you mean 'bs'? (dimensions: lr, bs, opt, out_channels[0], out_channels[1])",
            "out_channels[0]=3: not a value of randint(4, 16)",
        }));
    }

    [Test]
    public void A_sweep_whose_trials_are_all_planned_or_enqueued_takes_no_more()
    {
        var sweep = NewSweep(2);
        Plan(sweep);
        Enqueue(sweep, ("bs", "64"));
        Assert.That(sweep.State.DecideEnqueue(new Dictionary<string, string> { ["bs"] = "32" }).Errors,
            Is.EqualTo(new[] { "every one of sweep s1's 2 trials is planned or enqueued already: sweep extend adds more" }));
    }

    [Test]
    public void The_queue_survives_a_snapshot_and_an_old_snapshot_without_one_reads_as_empty()
    {
        var sweep = NewSweep(4);
        Enqueue(sweep, ("bs", "256"));
        var restored = ArchivedSweep.FromMemento(sweep.ToMemento(), sweep.State.Spec);
        Assert.That(Plan(restored)["bs"], Is.EqualTo(new ParamValue.Int(256)));
        var old = ArchivedSweep.FromMemento(sweep.ToMemento() with { Enqueued = null }, sweep.State.Spec);
        Assert.That(old.State.NextToStart().Planned!.Enqueued, Is.False);
    }
}
