using SweepCluster.Core.Planning;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;

using static SweepCluster.Core.Tests.SamplerRuns;

namespace SweepCluster.Core.Tests;

public class TpeSamplerTests
{
    private static double Distance(ParamValue.Map p) => Math.Sqrt(BowlValue(p));

    [Test]
    public void Tpe_concentrates_its_suggestions_near_the_optimum_and_random_search_does_not()
    {
        double LateDistance(string sampler, long seed) => Optimize(sampler, Bowl, BowlValue, 60, seed).Skip(30).Average(t => Distance(t.Params));
        var tpe = new[] { 1L, 2, 3, 4, 5 }.Select(seed => LateDistance("tpe", seed)).Order().ElementAt(2);
        var random = new[] { 1L, 2, 3, 4, 5 }.Select(seed => LateDistance("random", seed)).Order().ElementAt(2);
        TestContext.Out.WriteLine($"median distance of trials 30-59 from the optimum: tpe {tpe:F2}, random {random:F2}");
        Assert.That(random, Is.GreaterThan(3.0), "random search stays spread over the square");
        Assert.That(tpe, Is.LessThan(2.0), "TPE's later suggestions gather around (0.3, -1)");
        Assert.That(tpe, Is.LessThan(0.6 * random));
    }

    [Test]
    public void The_first_ten_trials_are_the_random_plans_and_later_ones_use_the_results()
    {
        var tpe = Optimize("tpe", Bowl, BowlValue, 20, 9);
        var random = Optimize("random", Bowl, BowlValue, 20, 9);
        Assert.That(tpe.Take(10).Select(t => t.Params), Is.EqualTo(random.Take(10).Select(t => t.Params)));
        Assert.That(tpe.Skip(10).Select(t => t.Params), Is.Not.EqualTo(random.Skip(10).Select(t => t.Params)));
    }

    [Test]
    public void The_same_seed_and_results_give_the_same_suggestions()
    {
        var a = Optimize("tpe", Bowl, BowlValue, 30, 4);
        var b = Optimize("tpe", Bowl, BowlValue, 30, 4);
        var c = Optimize("tpe", Bowl, BowlValue, 30, 5);
        Assert.That(b.Select(t => t.Params), Is.EqualTo(a.Select(t => t.Params)));
        Assert.That(c.Skip(10).Select(t => t.Params), Is.Not.EqualTo(a.Skip(10).Select(t => t.Params)));
    }

    [Test]
    public void Workers_asking_at_once_get_spread_suggestions_under_the_constant_liar()
    {
        var spec = Specs.Parse(Specs.WithSpace(Bowl, 40, "tpe", 3).Replace("direction: maximize", "direction: minimize"));
        var history = Optimize("tpe", Bowl, BowlValue, 20, 3);
        double Spread(bool liar)
        {
            var sampler = TrialPlanner.CreateSampler(spec, 3);
            var running = new List<ParamValue.Map>();
            for (var i = 20; i < 28; i++) running.Add(sampler.Suggest(new SuggestRequest(i, history, liar ? [.. running] : [])));
            var distances = running.SelectMany((p, i) => running.Skip(i + 1).Select(q =>
                Math.Sqrt(Math.Pow(p["x"]!.AsNumber()!.Value - q["x"]!.AsNumber()!.Value, 2) + Math.Pow(p["y"]!.AsNumber()!.Value - q["y"]!.AsNumber()!.Value, 2))));
            return distances.Average();
        }
        Assert.That(Spread(liar: true), Is.GreaterThan(1.3 * Spread(liar: false)));
    }

    [Test]
    public void Every_kind_of_dimension_stays_in_its_bounds_and_keeps_its_type()
    {
        const string space = """
              lr: loguniform(0.0001, 0.1)
              q: quniform(0, 1, 0.25)
              ql: qloguniform(1, 100, 1)
              n: normal(0, 1)
              bs: randint(32, 256)
              r: range(2, 20, 3)
              opt: choice(['adam', 'sgd', 'rmsprop'])
              channels: [randint(2, 20), randint(2, 20)]
              nested:
                depth: randint(1, 4)
            """;
        double Objective(ParamValue.Map p) =>
            Math.Abs(Math.Log10(p["lr"]!.AsNumber()!.Value) + 3) + (((ParamValue.Text)p["opt"]!).Value == "sgd" ? 0 : 1) + Math.Abs(p["bs"]!.AsNumber()!.Value - 100) / 100;
        var trials = Optimize("tpe", space, Objective, 40, 2);
        foreach (var p in trials.Select(t => t.Params))
        {
            Assert.That(p["lr"]!.AsNumber(), Is.InRange(0.0001, 0.1));
            Assert.That(p["q"]!.AsNumber(), Is.AnyOf(0.0, 0.25, 0.5, 0.75, 1.0));
            Assert.That(p["ql"]!.AsNumber() is { } ql && ql == Math.Round(ql) && ql is >= 1 and <= 100);
            Assert.That(p["bs"], Is.InstanceOf<ParamValue.Int>());
            Assert.That(p["bs"]!.AsNumber(), Is.InRange(32, 256));
            Assert.That(p["r"]!.AsNumber(), Is.AnyOf(2.0, 5, 8, 11, 14, 17));
            Assert.That(p["opt"], Is.AnyOf(new ParamValue.Text("adam"), new ParamValue.Text("sgd"), new ParamValue.Text("rmsprop")));
            Assert.That(((ParamValue.List)p["channels"]!).Items, Has.All.InstanceOf<ParamValue.Int>());
            Assert.That(((ParamValue.Map)p["nested"]!)["depth"]!.AsNumber(), Is.InRange(1, 4));
        }
        var late = trials.Skip(25).Select(t => t.Params).ToList();
        Assert.That(late.Count(p => ((ParamValue.Text)p["opt"]!).Value == "sgd"), Is.GreaterThan(late.Count / 2), "the better category wins most later draws");
    }

    [Test]
    public void Failed_trials_do_not_confuse_it()
    {
        var spec = Specs.Parse(Specs.WithSpace(Bowl, 30, "tpe", 1));
        var sampler = TrialPlanner.CreateSampler(spec, 1);
        var finished = Enumerable.Range(0, 12).Select(i => new FinishedTrial(i, sampler.Suggest(SuggestRequest.Ahead(i)), i % 3 == 0 ? null : i)).ToList();
        Assert.DoesNotThrow(() => sampler.Suggest(new SuggestRequest(12, finished, [])));
    }

    [Test]
    public void Past_the_modelled_limit_it_still_suggests_near_the_optimum_from_a_sample()
    {
        // 20,000 random results: TPE models the 25 best and an even sample of the rest, and its suggestions still gather
        // around the bowl's bottom, both when the best trials came early and when they came last.
        var spec = Specs.Parse(Specs.WithSpace(Bowl, 30_000, "tpe", 6).Replace("direction: maximize", "direction: minimize"));
        var random = TrialPlanner.CreateSampler(Specs.Parse(Specs.WithSpace(Bowl, 30_000, "random", 6)), 6);
        var history = Enumerable.Range(0, 20_000).Select(i => random.Suggest(SuggestRequest.Ahead(i))).Select((p, i) => new FinishedTrial(i, p, BowlValue(p))).ToList();
        Assert.That(history.Count, Is.GreaterThan(10 * TpeSampler.MaxModelled));
        foreach (var order in new[] { history, [.. history.OrderByDescending(t => t.Value)] })
        {
            var tpe = TrialPlanner.CreateSampler(spec, 6);
            var suggestions = Enumerable.Range(0, 20).Select(k => tpe.Suggest(new SuggestRequest(20_000 + k, order, []))).ToList();
            var median = suggestions.Select(Distance).Order().ElementAt(10);
            TestContext.Out.WriteLine($"median distance of 20 suggestions from the optimum: {median:F3} (random search's 20,000 trials: {history.Select(t => Distance(t.Params)).Order().ElementAt(10_000):F2})");
            Assert.That(median, Is.LessThan(0.5));
        }
    }
}
