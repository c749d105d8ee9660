using System.CommandLine;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Spec;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Cli.Commands;

/// <summary><c>sweepctl validate FILE...</c>: checks experiment files without running anything.</summary>
internal static class ValidateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "Experiment YAML files to check" };
        var code = SpecLoading.CodeOption();
        var command = new Command("validate", "Check experiment files; exit 0 when all are valid, 2 with every error otherwise") { files, code };
        command.SetAction(parsed =>
        {
            var allValid = true;
            foreach (var path in parsed.GetValue(files)!)
            {
                var spec = SpecLoading.Load(path, error, parsed.GetValue(code));
                if (spec is { Commands: [var only], CodeDirectory: { } folder } && KnownTrainers.AssemblyEntry(only) is not null
                    && AssemblyTrainers.Problem(folder, only) is { } problem)
                {
                    error.WriteLine($"run: {problem} at {path}");
                    spec = null;
                }
                if (spec is null)
                {
                    allValid = false;
                    continue;
                }
                var total = TrialPlanner.TotalTrials(spec);
                var program = spec.Commands is { } commands ? $"your program ({string.Join("; ", commands)}) in {spec.CodeDirectory}" : spec.Trainer;
                output.WriteLine($"{path}: valid ('{spec.Name}': {total} trial{(total == 1 ? "" : "s")} of {program}, "
                    + $"sampler {spec.Sampler.ToString().ToLowerInvariant()}, {spec.Metric.Direction.ToString().ToLowerInvariant()} {spec.Metric.Name})");
            }
            return allValid ? ExitCodes.Ok : ExitCodes.InvalidInput;
        });
        return command;
    }
}
