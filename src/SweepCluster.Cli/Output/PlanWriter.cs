using SweepCluster.Node.Text;
using System.Globalization;
using System.Text.Json;
using SweepCluster.Core.Planning;

namespace SweepCluster.Cli.Output;

/// <summary>Prints a <see cref="SweepPlan"/> as a table for people or as one JSON document for scripts.</summary>
internal static class PlanWriter
{
    public static void WriteJson(SweepPlan plan, TextWriter output)
    {
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            json.WriteString("name", plan.Spec.Name);
            json.WriteStartObject("metric");
            json.WriteString("name", plan.Spec.Metric.Name);
            json.WriteString("direction", plan.Spec.Metric.Direction.ToString().ToLowerInvariant());
            json.WriteEndObject();
            json.WriteString("trainer", plan.Spec.Trainer);
            json.WriteString("sampler", plan.Spec.Sampler.ToString().ToLowerInvariant());
            json.WriteNumber("seed", plan.Seed);
            json.WriteNumber("total_trials", plan.TotalTrials);
            json.WriteStartArray("trials");
            foreach (var trial in plan.Trials)
            {
                json.WriteStartObject();
                json.WriteNumber("index", trial.Index);
                json.WriteNumber("seed", trial.Seed);
                json.WriteBoolean("fixed_in_advance", trial.IsFixedInAdvance);
                json.WritePropertyName("params");
                if (trial.Params is null) json.WriteNullValue();
                else trial.Params.WriteJson(json);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    public static void WriteTable(SweepPlan plan, TextWriter output)
    {
        var spec = plan.Spec;
        output.WriteLine($"{spec.Name}: {plan.TotalTrials} trial{(plan.TotalTrials == 1 ? "" : "s")} of {spec.Trainer}, "
            + $"sampler {spec.Sampler.ToString().ToLowerInvariant()}, {spec.Metric.Direction.ToString().ToLowerInvariant()} {spec.Metric.Name}, sweep seed {plan.Seed}");
        if (spec.Params.Entries.Length > 0)
            output.WriteLine("fixed: " + string.Join(", ", spec.Params.Entries.Select(e => $"{e.Key}={e.Value}")));
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
