using SweepCluster.Core.Planning;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Core.Tests;

public class ConditionalSpaceTests
{
    private const string Optimizer = """
          optimizer:
            choice:
              - name: adam
                lr: loguniform(0.0001, 0.01)
              - name: sgd
                lr: loguniform(0.001, 0.1)
                momentum: uniform(0.0, 0.99)
          bs: choice([32, 64])
        """;

    private static ParamValue.Map OptimizerOf(ParamValue.Map trial) => (ParamValue.Map)trial["optimizer"]!;

    private static string NameOf(ParamValue.Map trial) => OptimizerOf(trial)["name"]!.ToString();

    private static double ValueIn(ParamValue.Map optimizer, string key) => optimizer[key]!.AsNumber()!.Value;

    /// <summary>Every trial holds its branch's keys and no other, each value within that branch's bounds.</summary>
    private static void AssertOnlyActiveBranch(IEnumerable<ParamValue.Map> trials)
    {
        foreach (var trial in trials)
        {
            var optimizer = OptimizerOf(trial);
            var keys = optimizer.Entries.Select(e => e.Key).ToList();
            if (NameOf(trial) == "adam")
            {
                Assert.That(keys, Is.EqualTo(new[] { "name", "lr" }));
                Assert.That(ValueIn(optimizer, "lr"), Is.InRange(0.0001, 0.01));
            }
            else
            {
                Assert.That(keys, Is.EqualTo(new[] { "name", "lr", "momentum" }));
                Assert.That(ValueIn(optimizer, "lr"), Is.InRange(0.001, 0.1));
                Assert.That(ValueIn(optimizer, "momentum"), Is.InRange(0.0, 0.99));
            }
        }
    }

    [Test]
    public void A_dimension_under_a_dotted_key_is_read_back_from_a_trial_so_samplers_learn_from_it()
    {
        var space = Specs.Parse(Specs.WithSpace("""
              optimizer.lr: uniform(0, 1)
              net:
                layers.depth: randint(1, 4)
            """)).ParamSpace;
        var trial = new ParamValue.Map([
            KeyValuePair.Create("optimizer.lr", (ParamValue)new ParamValue.Real(0.25)),
            KeyValuePair.Create("net", (ParamValue)new ParamValue.Map([KeyValuePair.Create("layers.depth", (ParamValue)new ParamValue.Int(3))])),
        ]);
        Assert.That(space.Dimensions.Select(d => space.ValueOf(trial, d)?.ToString()), Is.EqualTo(new[] { "0.25", "3" }));
    }

    [Test]
    public void A_choice_of_maps_parses_into_a_selector_and_dimensions_searched_only_in_their_branch()
    {
        var space = Specs.Parse(Specs.WithSpace(Optimizer)).ParamSpace;
        Assert.That(space.Dimensions.Select(d => d.Name), Is.EqualTo(new[]
        {
            "optimizer", "optimizer.lr (when optimizer=adam)", "optimizer.lr (when optimizer=sgd)", "optimizer.momentum (when optimizer=sgd)", "bs",
        }));
        var trial = new ParamValue.Map([KeyValuePair.Create("optimizer", (ParamValue)new ParamValue.Map(
            [KeyValuePair.Create("name", (ParamValue)new ParamValue.Text("adam")), KeyValuePair.Create("lr", (ParamValue)new ParamValue.Real(0.001))]))]);
        Assert.That(space.Dimensions.Select(d => space.ValueOf(trial, d)?.ToString()), Is.EqualTo(new[] { "adam", "0.001", null, null, null }),
            "a trial that took adam has no value for sgd's dimensions, though sgd's lr has the same path");
    }

    [Test]
    public void The_readmes_example_parses_into_the_branches_it_describes()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "experiment-file.md"));
        var block = System.Text.RegularExpressions.Regex.Match(readme, @"## Conditional spaces.*?```yaml\nparam_space:\n(?<space>.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.That(block.Success, "docs/experiment-file.md shows a param_space with branches");
        var space = Specs.Parse(Specs.WithSpace(block.Groups["space"].Value.TrimEnd())).ParamSpace;
        Assert.That(space.Dimensions.Select(d => d.Name), Is.EqualTo(new[]
        {
            "optimizer", "optimizer.lr (when optimizer=adam)", "optimizer.lr (when optimizer=sgd)", "optimizer.momentum (when optimizer=sgd)",
        }));
    }

    [TestCase("random")]
    [TestCase("tpe")]
    [TestCase("gp")]
    public void Every_sampler_gives_each_trial_only_the_branch_it_took(string sampler)
    {
        var trials = SamplerRuns.Optimize(sampler, Optimizer, t => ValueIn(OptimizerOf(t), "lr"), 40, seed: 3).Select(f => f.Params).ToList();
        AssertOnlyActiveBranch(trials);
        Assert.That(trials.Select(NameOf).Distinct(), Is.EquivalentTo(new[] { "adam", "sgd" }));
    }

    [Test]
    public void Tpe_models_each_branch_on_the_trials_that_took_it()
    {
        // sgd with a high momentum is best; adam is always worse than any sgd trial.
        static double Loss(ParamValue.Map t) => NameOf(t) == "adam" ? 2 + ValueIn(OptimizerOf(t), "lr") : 1 - ValueIn(OptimizerOf(t), "momentum");
        var later = Enumerable.Range(1, 5).SelectMany(seed => SamplerRuns.Optimize("tpe", Optimizer, Loss, 50, seed).Skip(25)).Select(f => f.Params).ToList();
        var sgd = later.Where(t => NameOf(t) == "sgd").ToList();
        Assert.That(sgd.Count, Is.GreaterThan(later.Count * 0.7), "the better branch is taken most of the time");
        var momenta = sgd.Select(t => ValueIn(OptimizerOf(t), "momentum")).Order().ToList();
        Assert.That(momenta[momenta.Count / 2], Is.GreaterThan(0.75), "momentum is learnt from the sgd trials alone (uniform would give a median near 0.5)");
    }

    [Test]
    public void Sampler_grid_runs_every_point_of_every_branch()
    {
        var plan = TrialPlanner.Plan(Specs.Parse(Specs.WithSpace("""
              optimizer:
                choice:
                  - name: adam
                    lr: choice([0.1, 0.01])
                  - name: sgd
                    lr: 0.1
                    momentum: choice([0.0, 0.9])
              bs: choice([32, 64])
            """, sampler: "grid")));
        Assert.That(plan.TotalTrials, Is.EqualTo(8), "(2 adam points + 2 sgd points) x 2 batch sizes");
        Assert.That(plan.Trials.Select(t => $"{t.Params!["optimizer"]} {t.Params["bs"]}"), Is.EquivalentTo(new[]
        {
            "{name: adam, lr: 0.1} 32", "{name: adam, lr: 0.1} 64", "{name: adam, lr: 0.01} 32", "{name: adam, lr: 0.01} 64",
            "{name: sgd, lr: 0.1, momentum: 0} 32", "{name: sgd, lr: 0.1, momentum: 0} 64", "{name: sgd, lr: 0.1, momentum: 0.9} 32", "{name: sgd, lr: 0.1, momentum: 0.9} 64",
        }));
    }

    [Test]
    public void Branches_nest_and_appear_inside_lists()
    {
        var trials = TrialPlanner.Plan(Specs.Parse(Specs.WithSpace("""
              layers:
                - choice:
                    - {kind: conv, filters: 'randint(4, 8)'}
                    - kind: dense
                      activation:
                        choice:
                          - {fn: relu}
                          - {fn: leaky, slope: 'uniform(0.01, 0.3)'}
            """, numTrials: 60))).Trials.Select(t => ((ParamValue.List)t.Params!["layers"]!).Items[0]).Cast<ParamValue.Map>().ToList();
        Assert.That(trials.Select(t => string.Join(",", t.Entries.Select(e => e.Key))).Distinct(), Is.EquivalentTo(new[] { "kind,filters", "kind,activation" }));
        var activations = trials.Where(t => t["kind"]!.ToString() == "dense").Select(t => (ParamValue.Map)t["activation"]!).ToList();
        Assert.That(activations.Select(a => string.Join(",", a.Entries.Select(e => e.Key))).Distinct(), Is.EquivalentTo(new[] { "fn", "fn,slope" }));
    }

    [Test]
    public void Errors_inside_branches_name_the_branch_with_line_and_column()
    {
        var errors = Specs.Errors(Specs.WithSpace("""
              optimizer:
                choice:
                  - name: adam
                    lr: loguniform(0, 0.01)
                  - name: adam
                    lr: 0.1
                  - kind: sgd
                  - momentum: uniform(0, 1)
                  - 0.5
            """)).Select(e => e.ToString()).ToList();
        Assert.That(errors, Has.Some.Match(@"^param_space\.optimizer\.choice\[0\]\.lr: .* at test\.yml:10:13$"));
        Assert.That(errors, Has.Some.EqualTo("param_space.optimizer.choice[1].name: branches 0 and 1 are both name: adam; give each branch a name of its own at test.yml:11:15"));
        Assert.That(errors, Has.Some.EqualTo("param_space.optimizer.choice[2].kind: every branch starts with the same key, which names it; the first starts with 'name' at test.yml:13:9"));
        Assert.That(errors, Has.Some.Match(@"^param_space\.optimizer\.choice\[3\]: a branch's first key names it with a constant .* at test\.yml:14:9$"));
        Assert.That(errors, Has.Some.Match(@"^param_space\.optimizer\.choice\[4\]: every option of a choice of branches is a map .* at test\.yml:15:9$"));
    }

    [Test]
    public void Grid_inside_a_branch_needs_sampler_grid()
    {
        var errors = Specs.Errors(Specs.WithSpace("  optimizer:\n    choice:\n      - {name: adam, lr: 'grid([0.1, 0.01])'}")).Select(e => e.ToString());
        Assert.That(errors, Has.Some.Contains("param_space.optimizer.choice[0].lr: grid([...]) inside a branch runs only under sampler: grid"));
    }

    [Test]
    public void An_enqueued_branch_is_named_by_its_selector_and_its_dimensions_are_checked_against_that_branch()
    {
        var yaml = Specs.WithSpace(Optimizer, 4, "tpe");
        var sweep = new ArchivedSweep(new SweepState(new SweepSubmitted("s1", "test", yaml, "test.yml", 4, 7, null, false, "/runs/s1", DateTimeOffset.UnixEpoch), Specs.Parse(yaml)));
        (TrialEnqueued? Enqueued, IReadOnlyList<string> Errors) Decide(params (string, string)[] values) => sweep.State.DecideEnqueue(values.ToDictionary(v => v.Item1, v => v.Item2));

        Assert.That(Decide(("optimizer.momentum", "0.5")).Errors, Is.EqualTo(new[] { "optimizer.momentum is searched only when optimizer=sgd: set the branch too, e.g. --set optimizer=sgd" }));
        Assert.That(Decide(("optimizer", "adam"), ("optimizer.momentum", "0.5")).Errors, Has.One.StartsWith("optimizer.momentum is searched only when optimizer=sgd"));
        Assert.That(Decide(("optimizer", "sgd"), ("optimizer.lr", "0.0005")).Errors, Is.EqualTo(new[] { "optimizer.lr=0.0005: not a value of loguniform(0.001, 0.1)" }),
            "sgd's bounds, not adam's");

        sweep.Apply(Decide(("optimizer", "sgd"), ("optimizer.momentum", "0.5")).Enqueued!);
        var (_, planned) = sweep.State.NextToStart();
        var optimizer = OptimizerOf(planned!.Params);
        Assert.That((optimizer["name"]!.ToString(), ValueIn(optimizer, "momentum")), Is.EqualTo(("sgd", 0.5)));
        Assert.That(ValueIn(optimizer, "lr"), Is.InRange(0.001, 0.1), "the rest of the branch is sampled within its own bounds");
    }
}
