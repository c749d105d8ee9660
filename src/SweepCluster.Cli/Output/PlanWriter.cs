using System.Globalization;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Spec;
using SweepCluster.Node.Text;

namespace SweepCluster.Cli.Output;

/// <summary>Prints a <see cref="SweepPlan"/> as a table for people or as one JSON document for scripts.</summary>
internal static class PlanWriter
{
    public static void WriteJson(SweepPlan plan, TextWriter output) => JsonOutput.Write(output, new PlanDocument(
        plan.Spec.Name, plan.Spec.Metric, plan.Spec.Trainer, plan.Spec.Sampler, plan.Seed, plan.TotalTrials,
        [.. plan.Trials.Select(t => new PlannedTrialDocument(t.Index, t.Seed, t.IsFixedInAdvance, t.Params))]));

    /// <summary><c>sweepctl plan --format json</c>.</summary>
    private sealed record PlanDocument(string Name, MetricSpec Metric, string Trainer, SamplerKind Sampler, long Seed, int TotalTrials, IReadOnlyList<PlannedTrialDocument> Trials);

    /// <param name="Params">Null for trials the sampler chooses from the results so far.</param>
    private sealed record PlannedTrialDocument(int Index, long Seed, bool FixedInAdvance, ParamValue.Map? Params);

    public static void WriteTable(SweepPlan plan, TextWriter output)
    {
        var spec = plan.Spec;
        output.WriteLine($"{spec.Name}: {plan.TotalTrials} trial{(plan.TotalTrials == 1 ? "" : "s")} of {spec.Trainer}, "
            + $"sampler {spec.Sampler.ToString().ToLowerInvariant()}, {spec.Metric.Direction.ToString().ToLowerInvariant()} {spec.Metric.Name}, sweep seed {plan.Seed}");
        if (spec.Params.Entries.Length > 0)
            output.WriteLine("fixed: " + SweepText.Parameters(spec.Params));
        if (spec.ParamSpace.HasBranches)
        {
            // Which dimension is searched in which branch: the table shows only each trial's own.
            output.WriteLine("searched:");
            TextTable.Write(output, ["dimension", "distribution", "searched"],
                [.. spec.ParamSpace.Dimensions.Select(d => (IReadOnlyList<string>)[d.Path, d.Distribution.ToString(), d.Condition is { } c ? $"when {c}" : "always"])], new HashSet<int>());
        }
        var searched = spec.ParamSpace.Root.Entries.Select(e => e.Key).ToList();
        var headers = new List<string> { "trial", "seed" };
        headers.AddRange(searched);
        var rows = plan.Trials.Select(t => (IReadOnlyList<string>)
            [
                t.Index.ToString(CultureInfo.InvariantCulture),
                t.Seed.ToString(CultureInfo.InvariantCulture),
                .. t.Params is { } p ? searched.Select(key => p[key]?.ToString() ?? "") : ["(chosen from the results so far)", .. searched.Skip(1).Select(_ => "")],
            ]).ToList();
        TextTable.Write(output, headers, rows, new HashSet<int> { 0, 1 });
    }
}
