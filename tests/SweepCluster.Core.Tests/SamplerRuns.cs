using SweepCluster.Core.Planning;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Tests;

internal static class SamplerRuns
{
    /// <summary>A 2-D bowl with its bottom at (0.3, -1).</summary>
    public const string Bowl = "  x: uniform(-5, 5)\n  y: uniform(-5, 5)";

    public static double BowlValue(ParamValue.Map p) =>
        Math.Pow(p["x"]!.AsNumber()!.Value - 0.3, 2) + Math.Pow(p["y"]!.AsNumber()!.Value + 1, 2);

    /// <summary>Asks the sampler trial after trial, each result known before the next ask, as one worker would.</summary>
    public static List<FinishedTrial> Optimize(string sampler, string space, Func<ParamValue.Map, double> objective, int trials, long seed, string direction = "minimize")
    {
        var spec = Specs.Parse(Specs.WithSpace(space, trials, sampler, seed).Replace("direction: maximize", $"direction: {direction}"));
        var s = TrialPlanner.CreateSampler(spec, seed);
        var finished = new List<FinishedTrial>();
        for (var i = 0; i < trials; i++)
        {
            var p = s.Suggest(new SuggestRequest(i, finished, []));
            finished.Add(new FinishedTrial(i, p, objective(p)));
        }
        return finished;
    }
}
