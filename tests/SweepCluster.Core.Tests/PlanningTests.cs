using SweepCluster.Core.Planning;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Tests;

public class PlanningTests
{
    private static readonly string Space = """
          lr: loguniform(0.0001, 0.01)
          bs: randint(32, 256)
          out_channels: [randint(2, 20), randint(2, 20)]
          optim:
            name: choice(['adam', 'sgd'])
            momentum: 0.9
        """;

    [Test]
    public void The_same_seed_plans_the_same_trials()
    {
        var first = TrialPlanner.Plan(Specs.Parse(Specs.WithSpace(Space, numTrials: 50))).Trials;
        var second = TrialPlanner.Plan(Specs.Parse(Specs.WithSpace(Space, numTrials: 50))).Trials;
        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void A_different_seed_plans_different_trials()
    {
        var spec = Specs.Parse(Specs.WithSpace(Space, numTrials: 50));
        var a = TrialPlanner.Plan(spec, seedOverride: 1).Trials;
        var b = TrialPlanner.Plan(spec, seedOverride: 2).Trials;
        Assert.That(a.Zip(b).Count(p => p.First.Params!.Equals(p.Second.Params)), Is.Zero);
        Assert.That(a.Select(t => t.Seed), Is.Not.EqualTo(b.Select(t => t.Seed)));
    }

    [Test]
    public void A_trial_depends_only_on_seed_and_index()
    {
        var spec = Specs.Parse(Specs.WithSpace(Space, numTrials: 40));
        var longer = TrialPlanner.Plan(spec).Trials;
        var shorter = TrialPlanner.Plan(spec, trialsOverride: 10).Trials;
        Assert.That(shorter, Is.EqualTo(longer.Take(10)), "asking for fewer trials plans a prefix of the same sweep");
    }

    [Test]
    public void Reordering_keys_in_the_file_does_not_change_any_value()
    {
        var reordered = """
              optim:
                momentum: 0.9
                name: choice(['adam', 'sgd'])
              out_channels: [randint(2, 20), randint(2, 20)]
              bs: randint(32, 256)
              lr: loguniform(0.0001, 0.01)
            """;
        var a = TrialPlanner.Plan(Specs.Parse(Specs.WithSpace(Space, numTrials: 20))).Trials;
        var b = TrialPlanner.Plan(Specs.Parse(Specs.WithSpace(reordered, numTrials: 20))).Trials;
        foreach (var key in new[] { "lr", "bs", "out_channels", "optim" })
            Assert.That(b.Select(t => Canonical(t.Params![key]!)), Is.EqualTo(a.Select(t => Canonical(t.Params![key]!))), key);
    }

    [Test]
    public void Trials_hold_fixed_params_then_list_and_nested_values()
    {
        var yaml = Specs.WithSpace(Space, numTrials: 5).Replace("param_space:", "params:\n  epochs: 5\n  seed: 2342\nparam_space:");
        var trial = TrialPlanner.Plan(Specs.Parse(yaml)).Trials[0];
        Assert.That(trial.Params!.Entries.Select(e => e.Key), Is.EqualTo(new[] { "epochs", "seed", "lr", "bs", "out_channels", "optim" }));
        Assert.That(trial.Params!["epochs"], Is.EqualTo(new ParamValue.Int(5)));
        var channels = (ParamValue.List)trial.Params!["out_channels"]!;
        Assert.That(channels.Items, Has.Length.EqualTo(2).And.All.InstanceOf<ParamValue.Int>());
        var optim = (ParamValue.Map)trial.Params!["optim"]!;
        Assert.That(optim["momentum"], Is.EqualTo(new ParamValue.Real(0.9)));
        Assert.That(optim["name"], Is.AnyOf(new ParamValue.Text("adam"), new ParamValue.Text("sgd")));
    }

    [Test]
    public void The_two_elements_of_a_list_parameter_are_drawn_independently()
    {
        var trials = TrialPlanner.Plan(Specs.Parse(Specs.WithSpace(Space, numTrials: 500))).Trials;
        var pairs = trials.Select(t => ((ParamValue.List)t.Params!["out_channels"]!).Items).ToList();
        Assert.That(pairs.Count(p => p[0].Equals(p[1])) / 500.0, Is.LessThan(0.15), "1 in 19 expected when independent");
    }

    [Test]
    public void Each_trial_gets_its_own_training_seed()
    {
        var trials = TrialPlanner.Plan(Specs.Parse(Specs.WithSpace(Space, numTrials: 1000))).Trials;
        Assert.That(trials.Select(t => t.Seed).Distinct().Count(), Is.EqualTo(1000));
        Assert.That(trials.Select(t => t.Seed), Has.All.InRange(0L, int.MaxValue));
    }

    [Test]
    public void Grid_dimensions_multiply_the_trial_count_and_each_point_runs_num_trials_times()
    {
        var spec = Specs.Parse(Specs.WithSpace("  a: grid([1, 2, 3])\n  b: grid(['x', 'y'])\n  lr: loguniform(1e-4, 1e-2)", numTrials: 4));
        Assert.That(TrialPlanner.TotalTrials(spec), Is.EqualTo(24));
        var plan = TrialPlanner.Plan(spec);
        Assert.That(plan.TotalTrials, Is.EqualTo(24));
        var points = plan.Trials.GroupBy(t => (t.Params!["a"], t.Params!["b"])).ToList();
        Assert.That(points.Select(p => p.Count()), Is.EqualTo(Enumerable.Repeat(4, 6)));
        Assert.That(plan.Trials.Select(t => t.Params!["lr"]).Distinct().Count(), Is.EqualTo(24), "non-grid dimensions are sampled per trial");
        Assert.That(TrialPlanner.Plan(spec, trialsOverride: 2).TotalTrials, Is.EqualTo(12), "--trials overrides num_trials, per grid point");
    }

    [Test]
    public void Grid_sampler_enumerates_every_finite_dimension()
    {
        var spec = Specs.Parse(Specs.WithSpace("  opt: choice(['adam', 'sgd'])\n  depth: randint(2, 4)\n  q: quniform(0, 1, 0.5)", sampler: "grid"));
        var plan = TrialPlanner.Plan(spec);
        Assert.That(plan.TotalTrials, Is.EqualTo(2 * 3 * 3));
        Assert.That(plan.Trials.Select(t => t.Params!).Distinct().Count(), Is.EqualTo(18), "every combination once");
        Assert.That(plan.Notice, Is.Null);
    }

    [TestCase("tpe")]
    [TestCase("gp")]
    public void An_adaptive_plan_lists_its_random_start_up_trials_and_marks_the_rest_adaptive(string sampler)
    {
        var tpe = TrialPlanner.Plan(Specs.Parse(Specs.WithSpace(Space, numTrials: 14, sampler: sampler)));
        var random = TrialPlanner.Plan(Specs.Parse(Specs.WithSpace(Space, numTrials: 14, sampler: "random")));
        Assert.That(tpe.Notice, Is.EqualTo($"sampler {sampler}: trials 0-9 are sampled at random; the others are chosen from the results so far, so they are not listed"));
        Assert.That(tpe.Trials.Take(10).Select(t => t.Params), Is.EqualTo(random.Trials.Take(10).Select(t => t.Params)));
        Assert.That(tpe.Trials.Skip(10).Select(t => t.IsFixedInAdvance), Has.All.False);
        Assert.That(tpe.Trials.Select(t => t.Seed), Is.EqualTo(random.Trials.Select(t => t.Seed)), "training seeds do not depend on the sampler");
    }

    private static string Canonical(ParamValue value) => value is ParamValue.Map map
        ? string.Join(",", map.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={Canonical(e.Value)}"))
        : value.ToString();
}
