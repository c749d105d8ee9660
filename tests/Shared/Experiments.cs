namespace SweepCluster.Testing;

/// <summary>Small experiments for cluster tests, on the built-in objectives: <c>value</c> is drawn uniformly, so the plan decides the best trial.</summary>
internal static class Experiments
{
    public static string Sleep(int trials, double seconds = 0, string resources = "", int steps = 1, string extra = "", int seed = 7) => $"""
        name: sleepy
        num_trials: {trials}
        sampler: random
        seed: {seed}
        {resources}
        {extra}
        params:
          seconds: {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}
          steps: {steps}
        param_space:
          value: uniform(0, 1)
        metric:
          name: value
          direction: maximize
        run: builtin/sleep
        """;
}
