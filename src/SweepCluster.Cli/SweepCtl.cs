using System.CommandLine;
using SweepCluster.Cli.Commands;

namespace SweepCluster.Cli;

/// <summary>The <c>sweepctl</c> command line: builds the command tree and runs one invocation.</summary>
public static class SweepCtl
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("sweepctl: plan, run and operate hyperparameter sweeps on a SweepCluster cluster")
        {
            ValidateCommand.Create(output, error),
            PlanCommand.Create(output, error),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors) error.WriteLine($"sweepctl: {parseError.Message}");
            var command = parsed.CommandResult.Command == root ? "sweepctl" : $"sweepctl {parsed.CommandResult.Command.Name}";
            error.WriteLine($"Run '{command} --help' for usage.");
            return ExitCodes.InvalidInput;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
