using System.CommandLine;
using SweepCluster.Cli.Output;
using SweepCluster.Core.Results;
using SweepCluster.Node.Text;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// <c>sweepctl run FILE</c>: the whole job in one process. It starts an embedded cluster (both roles, the same
/// actors as a real cluster, on loopback), submits the sweep, shows its progress and prints the results.
/// </summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("FILE") { Description = "The experiment YAML file" };
        var switches = new EmbeddedSweepSwitches("Trials per grid point, instead of the file's num_trials", "Where the sweep's run directory goes");
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics while the sweep runs (0: a free port, printed)" };
        var format = OutputFormat.CreateOption();
        var command = new Command("run", "Run a sweep to the end on this machine, in one process") { file };
        foreach (var option in switches.All.Append(metricsPort).Append(format)) command.Options.Add(option);
        command.SetAction(async (parsed, cancellation) =>
        {
            var path = parsed.GetValue(file)!;
            var spec = SpecLoading.Load(path, error);
            if (spec is null) return ExitCodes.InvalidInput;
            var json = parsed.GetValue(format) == OutputFormat.Json;
            var options = switches.Read(parsed, metricsPort: parsed.GetValue(metricsPort));
            var final = await EmbeddedSweep.RunAsync(path, File.ReadAllText(path), spec, options, json ? error : output, error, cancellation);
            if (final is null) return ExitCodes.InvalidInput;
            if (json) JsonOutput.Write(output, new SweepDocument(final));
            else SweepResultWriter.WriteTable(output, final);
            return final.Status == SweepStatus.Cancelled ? ExitCodes.Interrupted : ExitCodes.Ok;
        });
        return command;
    }
}
