using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Tests;

/// <summary>
/// Each distribution, sampled through the planner as a sweep would: values stay in bounds, reach both
/// ends, and have the right shape. Seeds are fixed; tolerances are tight enough that a wrong
/// implementation (linear instead of log, an exclusive upper bound, a biased choice) fails.
/// </summary>
public class DistributionSamplingTests
{
    private const int N = 20_000;

    [Test]
    public void Uniform_stays_in_bounds_and_fills_them()
    {
        var xs = Specs.Numbers("uniform(-1.5, 2.5)", N);
        Assert.That(xs, Has.All.InRange(-1.5, 2.5).And.All.Not.EqualTo(2.5));
        Assert.That(xs.Min(), Is.LessThan(-1.49));
        Assert.That(xs.Max(), Is.GreaterThan(2.49));
        var counts = xs.GroupBy(x => (int)Math.Floor((x + 1.5) / 0.4)).Select(g => g.Count()).ToList();
        Assert.That(counts, Has.Count.EqualTo(10));
        Assert.That(ChiSquare.AgainstUniform(counts), Is.LessThan(ChiSquare.Critical999(9)));
    }

    [Test]
    public void Loguniform_is_uniform_in_log_space()
    {
        var xs = Specs.Numbers("loguniform(1e-4, 1e-2)", N);
        Assert.That(xs, Has.All.InRange(1e-4, 1e-2));
        // Ten equal bins of log10(x) over [-4, -2]: a linear uniform puts ~90% of draws in the top decade.
        var counts = Enumerable.Range(0, 10).Select(b => xs.Count(x => (int)Math.Floor((Math.Log10(x) + 4) / 0.2) == b)).ToList();
        Assert.That(ChiSquare.AgainstUniform(counts), Is.LessThan(ChiSquare.Critical999(9)));
        Assert.That(xs.Count(x => x < 1e-3) / (double)N, Is.EqualTo(0.5).Within(0.02), "half the draws below the geometric midpoint");
    }

    [Test]
    public void Randint_includes_both_bounds_with_equal_frequency()
    {
        var xs = Specs.Draws("randint(2, 20)", N);
        Assert.That(xs, Has.All.InstanceOf<ParamValue.Int>());
        var counts = xs.Cast<ParamValue.Int>().GroupBy(x => x.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(counts.Keys.Order(), Is.EqualTo(Enumerable.Range(2, 19).Select(i => (long)i)), "every value from 2 to 20, 20 included");
        Assert.That(ChiSquare.AgainstUniform(counts.Values), Is.LessThan(ChiSquare.Critical999(18)));
    }

    [Test]
    public void Randint_takes_negative_bounds_and_a_single_value()
    {
        Assert.That(Specs.Numbers("randint(-3, -1)", 2000).Distinct().Order(), Is.EqualTo(new[] { -3.0, -2.0, -1.0 }));
        Assert.That(Specs.Numbers("randint(7, 7)", 50), Has.All.EqualTo(7.0));
    }

    [Test]
    public void Quniform_takes_every_step_from_low_to_high()
    {
        var xs = Specs.Numbers("quniform(0.1, 0.5, 0.1)", N);
        var counts = xs.GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(counts.Keys.Order(), Is.EqualTo(new[] { 0.1, 0.2, 0.3, 0.4, 0.5 }), "exact decimal steps, high included");
        Assert.That(ChiSquare.AgainstUniform(counts.Values), Is.LessThan(ChiSquare.Critical999(4)));
    }

    [Test]
    public void Qloguniform_lies_on_the_grid_and_favours_small_values()
    {
        var xs = Specs.Numbers("qloguniform(1, 100, 1)", N);
        Assert.That(xs, Has.All.InRange(1.0, 100.0));
        Assert.That(xs.All(x => x == Math.Round(x)), "multiples of q from low");
        Assert.That(xs.Min(), Is.EqualTo(1.0));
        Assert.That(xs.Max(), Is.EqualTo(100.0));
        // log-uniform: about half below sqrt(1*100) = 10
        Assert.That(xs.Count(x => x <= 10) / (double)N, Is.EqualTo(0.5).Within(0.03));
    }

    [Test]
    public void Normal_has_the_given_mean_and_spread()
    {
        var xs = Specs.Numbers("normal(10, 2)", N);
        var mean = xs.Average();
        var sd = Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (N - 1));
        Assert.That(mean, Is.EqualTo(10).Within(0.05));
        Assert.That(sd, Is.EqualTo(2).Within(0.05));
        Assert.That(xs.Count(x => Math.Abs(x - 10) < 2) / (double)N, Is.EqualTo(0.6827).Within(0.015), "one-sigma share");
    }

    [Test]
    public void Range_yields_pythons_values_in_order()
    {
        Assert.That(Specs.Numbers("range(0, 10, 3)", 2000).Distinct().Order(), Is.EqualTo(new[] { 0.0, 3, 6, 9 }));
        Assert.That(Specs.Numbers("range(10, 0, -4)", 2000).Distinct().Order(), Is.EqualTo(new[] { 2.0, 6, 10 }));
        Assert.That(Specs.Numbers("range(0, 3)", 2000).Distinct().Order(), Is.EqualTo(new[] { 0.0, 1, 2 }), "stop excluded");
        var range = (IntRange)DistributionParser.Parse("range(10, 0, -4)", out _)!;
        Assert.That(Enumerable.Range(0, 3).Select(k => range.ValueAt(k)), Is.EqualTo(new ParamValue[] { new ParamValue.Int(10), new ParamValue.Int(6), new ParamValue.Int(2) }));
    }

    [Test]
    public void Choice_values_are_equally_frequent_and_keep_their_types()
    {
        var xs = Specs.Draws("choice(['adam', \"sgd\", -1.5e-3, 7, True, false, None])", N);
        var counts = xs.GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(counts.Keys, Is.EquivalentTo(new ParamValue[]
        {
            new ParamValue.Text("adam"), new ParamValue.Text("sgd"), new ParamValue.Real(-1.5e-3), new ParamValue.Int(7),
            new ParamValue.Bool(true), new ParamValue.Bool(false), ParamValue.Null.Instance,
        }));
        Assert.That(ChiSquare.AgainstUniform(counts.Values), Is.LessThan(21.0), "chi-square, 6 degrees of freedom, upper 0.2%");
    }

    [Test]
    public void Numbers_may_be_negative_and_scientific()
    {
        var xs = Specs.Numbers("uniform(-1e-3, 2.5E-3)", 1000);
        Assert.That(xs, Has.All.InRange(-1e-3, 2.5e-3));
        Assert.That(xs.Min(), Is.LessThan(0));
    }
}
