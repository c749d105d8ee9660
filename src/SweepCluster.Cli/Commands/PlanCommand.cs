using System.CommandLine;
using SweepCluster.Cli.Output;
using SweepCluster.Core.Planning;

namespace SweepCluster.Cli.Commands;

/// <summary><c>sweepctl plan FILE</c>: the trials a sweep would run, without running them.</summary>
internal static class PlanCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("FILE") { Description = "The experiment YAML file" };
        var trials = Switches.PositiveInt("--trials", "Trials per grid point, instead of the file's num_trials");
        var seed = new Option<long?>("--seed") { Description = "The sweep seed, instead of the file's seed" };
        var format = OutputFormat.CreateOption();
        var command = new Command("plan", "List the trials a sweep would run, with their parameters and seeds") { file, trials, seed, format };
        command.SetAction(parsed =>
        {
            var path = parsed.GetValue(file)!;
            var spec = SpecLoading.Load(path, error);
            if (spec is null) return ExitCodes.InvalidInput;
            var total = TrialPlanner.TotalTrials(spec, parsed.GetValue(trials));
            if (total > TrialPlanner.MaxTrials)
            {
                error.WriteLine($"--trials: the sweep would run {total} trials; at most {TrialPlanner.MaxTrials} are allowed");
                return ExitCodes.InvalidInput;
            }
            var plan = TrialPlanner.Plan(spec, parsed.GetValue(trials), parsed.GetValue(seed));
            if (plan.Notice is not null) error.WriteLine($"note: {plan.Notice}");
            if (parsed.GetValue(format) == OutputFormat.Json) PlanWriter.WriteJson(plan, output);
            else PlanWriter.WriteTable(plan, output);
            return ExitCodes.Ok;
        });
        return command;
    }
}
