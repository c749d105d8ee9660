using SweepCluster.Core.Planning;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Tests;

/// <summary>Builds experiment files for tests: the required keys around the part a test is about.</summary>
internal static class Specs
{
    public static string Experiment(string name) => RepoPaths.Experiment(name);

    /// <summary>A valid experiment whose param_space is <paramref name="spaceLines"/> (already indented by two).</summary>
    public static string WithSpace(string spaceLines, int numTrials = 1, string sampler = "random", long seed = 1) => $"""
        name: test
        kind: group
        num_trials: {numTrials}
        sampler: {sampler}
        seed: {seed}
        param_space:
        {spaceLines}
        metric:
          name: test_f1
          direction: maximize
        run: [src/convnet.py]
        """;

    public static ExperimentSpec Parse(string yaml, string source = "test.yml")
    {
        var result = ExperimentSpecParser.Parse(yaml, source);
        if (result.Spec is null) Assert.Fail("expected a valid spec, got:\n" + string.Join("\n", result.Errors));
        return result.Spec!;
    }

    public static IReadOnlyList<SpecError> Errors(string yaml, string source = "test.yml")
    {
        var result = ExperimentSpecParser.Parse(yaml, source);
        Assert.That(result.Spec, Is.Null, "expected the spec to be rejected");
        return result.Errors;
    }

    /// <summary>The values one dimension <c>x</c> takes over <paramref name="n"/> planned trials.</summary>
    public static List<ParamValue> Draws(string distribution, int n, long seed = 1) =>
        TrialPlanner.Plan(Parse(WithSpace($"  x: {distribution}", n, seed: seed))).Trials.Select(t => t.Params!["x"]!).ToList();

    public static List<double> Numbers(string distribution, int n, long seed = 1) =>
        Draws(distribution, n, seed).Select(v => v.AsNumber()!.Value).ToList();
}

/// <summary>Pearson's chi-square statistic against equal expected counts.</summary>
internal static class ChiSquare
{
    public static double AgainstUniform(IReadOnlyCollection<int> counts)
    {
        var expected = counts.Sum() / (double)counts.Count;
        return counts.Sum(c => (c - expected) * (c - expected) / expected);
    }

    /// <summary>Upper 0.1% points of chi-square, by degrees of freedom: a correct sampler fails 1 seed in 1000.</summary>
    public static double Critical999(int degreesOfFreedom) => degreesOfFreedom switch
    {
        1 => 10.83,
        2 => 13.82,
        3 => 16.27,
        4 => 18.47,
        9 => 27.88,
        18 => 42.31,
        19 => 43.82,
        _ => throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), "add the table value"),
    };
}
