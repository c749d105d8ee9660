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

    /// <summary>The Branin function, minimized: with <c>gp</c> and <c>warm_start</c> in <paramref name="extra"/>, a sampler that takes a second or more per trial.</summary>
    public static string Branin(string sampler, int trials, string extra = "") => $"""
        name: branin-{sampler}
        num_trials: {trials}
        sampler: {sampler}
        seed: 3
        {extra}
        param_space:
          x1: uniform(-5, 10)
          x2: uniform(0, 15)
        metric:
          name: value
          direction: minimize
        run: builtin/branin
        """;
}
