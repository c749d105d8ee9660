namespace SweepCluster.Cluster.Tests;

/// <summary>Small experiments for cluster tests, on the built-in objectives.</summary>
internal static class Experiments
{
    public static string Sleep(int trials, double seconds = 0, string resources = "", int steps = 1, string extra = "") => $"""
        name: sleepy
        num_trials: {trials}
        sampler: random
        seed: 7
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
