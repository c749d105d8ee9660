using SweepCluster.Core.Planning;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;

using static SweepCluster.Core.Tests.SamplerRuns;

namespace SweepCluster.Core.Tests;

public class GpSamplerTests
{
    [Test]
    public void Gp_finds_the_bottom_of_a_bowl_in_a_few_trials_after_its_random_start()
    {
        var best = new[] { 1L, 2, 3 }.Select(seed => Optimize("gp", Bowl, BowlValue, 20, seed).Min(t => t.Value!.Value)).ToList();
        var random = new[] { 1L, 2, 3 }.Select(seed => Optimize("random", Bowl, BowlValue, 20, seed).Min(t => t.Value!.Value)).ToList();
        TestContext.Out.WriteLine($"best after 20 trials: gp {string.Join(", ", best.Select(b => b.ToString("F4")))}; random {string.Join(", ", random.Select(b => b.ToString("F4")))}");
        Assert.That(best, Has.All.LessThan(0.05), "ten model-guided trials reach within about 0.2 of (0.3, -1)");
        Assert.That(best.Order().ElementAt(1), Is.LessThan(random.Order().ElementAt(1) / 5));
    }

    [Test]
    public void Past_the_fitted_limit_it_fits_the_best_and_the_latest_and_still_suggests_near_the_optimum()
    {
        // 2,000 random results and 500 running trials: fitted whole, one suggestion would take hours (n^3).
        var spec = Specs.Parse(Specs.WithSpace(Bowl, 3_000, "gp", 4).Replace("direction: maximize", "direction: minimize"));
        var random = TrialPlanner.CreateSampler(Specs.Parse(Specs.WithSpace(Bowl, 3_000, "random", 4)), 4);
        var history = Enumerable.Range(0, 2_000).Select(i => random.Suggest(SuggestRequest.Ahead(i))).Select((p, i) => new FinishedTrial(i, p, BowlValue(p))).ToList();
        var running = Enumerable.Range(2_000, 500).Select(i => random.Suggest(SuggestRequest.Ahead(i))).ToList();
        var gp = TrialPlanner.CreateSampler(spec, 4);
        var distances = Enumerable.Range(0, 3).Select(k => Math.Sqrt(BowlValue(gp.Suggest(new SuggestRequest(2_500 + k, history, running))))).ToList();
        TestContext.Out.WriteLine($"distances from the optimum: {string.Join(", ", distances.Select(d => d.ToString("F3")))}; random search's median: {history.Select(t => Math.Sqrt(t.Value!.Value)).Order().ElementAt(1_000):F2}");
        Assert.That(distances, Has.All.LessThan(0.5));
    }

    [Test]
    public void The_first_ten_trials_are_the_random_plans_and_the_same_results_give_the_same_suggestions()
    {
        var gp = Optimize("gp", Bowl, BowlValue, 14, 9);
        var again = Optimize("gp", Bowl, BowlValue, 14, 9);
        var random = Optimize("random", Bowl, BowlValue, 14, 9);
        Assert.That(gp.Take(10).Select(t => t.Params), Is.EqualTo(random.Take(10).Select(t => t.Params)));
        Assert.That(again.Select(t => t.Params), Is.EqualTo(gp.Select(t => t.Params)));
        Assert.That(gp.Skip(10).Select(t => t.Params), Is.Not.EqualTo(random.Skip(10).Select(t => t.Params)));
    }

    [Test]
    public void Integers_steps_log_scales_and_categories_get_values_their_dimensions_can_take_and_the_maximum_is_sought_when_asked()
    {
        const string space = "  lr: loguniform(0.0001, 0.1)\n  bs: randint(16, 64)\n  width: range(8, 64, 8)\n  q: quniform(0, 1, 0.25)\n  opt: choice(['sgd', 'adam', 'rmsprop'])";
        // Best at lr 0.003, bs 40, width 32, q 0.5, adam (maximised).
        double Score(ParamValue.Map p) => -Math.Pow(Math.Log10(p["lr"]!.AsNumber()!.Value) + 2.5, 2) - Math.Pow((p["bs"]!.AsNumber()!.Value - 40) / 20, 2)
            - Math.Pow((p["width"]!.AsNumber()!.Value - 32) / 24, 2) - Math.Abs(p["q"]!.AsNumber()!.Value - 0.5) + (((ParamValue.Text)p["opt"]!).Value == "adam" ? 1 : 0);
        var trials = Optimize("gp", space, Score, 30, 3, direction: "maximize");
        foreach (var p in trials.Select(t => t.Params))
        {
            Assert.That(p["lr"]!.AsNumber(), Is.InRange(0.0001, 0.1));
            Assert.That(p["bs"], Is.TypeOf<ParamValue.Int>().And.Property("Value").InRange(16L, 64L));
            Assert.That(((ParamValue.Int)p["width"]!).Value % 8, Is.Zero);
            Assert.That(new[] { 0.0, 0.25, 0.5, 0.75, 1.0 }, Does.Contain(p["q"]!.AsNumber()!.Value));
            Assert.That(new[] { "sgd", "adam", "rmsprop" }, Does.Contain(((ParamValue.Text)p["opt"]!).Value));
        }
        var guided = trials.Skip(10).ToList();
        Assert.That(guided.Count(t => ((ParamValue.Text)t.Params["opt"]!).Value == "adam"), Is.GreaterThan(guided.Count / 2), "the better category is taken most of the time");
        Assert.That(trials.Max(t => t.Value!.Value), Is.GreaterThan(trials.Take(10).Max(t => t.Value!.Value)), "the model-guided trials improve on the random start");
    }

    [Test]
    public void A_running_trial_makes_the_next_suggestion_go_elsewhere()
    {
        var spec = Specs.Parse(Specs.WithSpace(Bowl, 20, "gp", 5).Replace("direction: maximize", "direction: minimize"));
        var finished = Optimize("gp", Bowl, BowlValue, 12, 5);
        var sampler = TrialPlanner.CreateSampler(spec, 5);
        var alone = sampler.Suggest(new SuggestRequest(12, finished, []));
        var beside = sampler.Suggest(new SuggestRequest(12, finished, [alone]));
        double Gap(ParamValue.Map a, ParamValue.Map b) => Math.Abs(a["x"]!.AsNumber()!.Value - b["x"]!.AsNumber()!.Value) + Math.Abs(a["y"]!.AsNumber()!.Value - b["y"]!.AsNumber()!.Value);
        Assert.That(Gap(alone, beside), Is.GreaterThan(0.05), "a second worker asking while the first trial runs gets another point");
    }

    [TestCase(2.0, 0.5)]
    [TestCase(-1.0, 0.3)]
    [TestCase(-12.0, 1.0)]
    [TestCase(-40.0, 1.0)]
    public void Log_expected_improvement_is_the_log_of_the_closed_form_and_stays_finite_far_in_the_tail(double mean, double std)
    {
        var logEi = GaussianProcess.LogExpectedImprovement(mean, std, 0);
        Assert.That(double.IsFinite(logEi));
        var z = mean / std;
        var ei = std * (z * MathNet.Numerics.Distributions.Normal.CDF(0, 1, z) + MathNet.Numerics.Distributions.Normal.PDF(0, 1, z));
        if (ei > 1e-300) Assert.That(logEi, Is.EqualTo(Math.Log(ei)).Within(Math.Abs(Math.Log(ei)) * 1e-3 + 1e-9));
        Assert.That(GaussianProcess.LogExpectedImprovement(mean - 1, std, 0), Is.LessThan(logEi), "a lower mean improves less");
    }
}
