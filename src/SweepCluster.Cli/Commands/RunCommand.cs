using System.CommandLine;
using SweepCluster.Cli.Output;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
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
        var file = new Argument<string?>("FILE") { Description = "The experiment YAML file", Arity = ArgumentArity.ZeroOrOne };
        var switches = new LocalSweepSwitches("Trials per grid point, instead of the file's num_trials; with --resume, +N trials to add", "Where the sweep's run directory goes");
        var resume = new Option<string?>("--resume")
        {
            Description = "Go on with the ended sweep of this run folder (one written by run): --trials +N more trials, numbered after its own, its sampler and pruner knowing every earlier trial",
        };
        var warmStart = new Option<string?>("--warm-start")
        {
            Description = "RUN_DIR[,RUN_DIR...]: run folders of earlier sweeps whose finished trials fitting this space guide the sampler",
        };
        var code = SpecLoading.CodeOption();
        var allowChangedData = new Option<bool>("--allow-changed-data")
        {
            Description = "With --resume: go on though the new trials' data differs from what the sweep's trials read (each trial.json records its data)",
        };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics while the sweep runs (0: a free port, printed)" };
        var format = OutputFormat.CreateOption();
        var command = new Command("run", "Run a sweep to the end on this machine, in one process") { file };
        foreach (var option in switches.All.Append(resume).Append(allowChangedData).Append(warmStart).Append(code).Append(metricsPort).Append(format)) command.Options.Add(option);
        command.SetAction(async (parsed, cancellation) =>
        {
            var json = parsed.GetValue(format) == OutputFormat.Json;
            var options = switches.Read(parsed, metricsPort: parsed.GetValue(metricsPort)) with
            {
                // Folders as the user named them, from here; the coordinator reads relative ones in its runs folder.
                WarmStart = parsed.GetValue(warmStart) is { } sources
                    ? [.. sources.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => Directory.Exists(s) ? Path.GetFullPath(s) : s)]
                    : null,
            };
            var (path, runDirectory) = (parsed.GetValue(file), parsed.GetValue(resume));
            SweepSnapshot? final;
            if (runDirectory is null)
            {
                if (path is null)
                {
                    error.WriteLine("give the experiment FILE, or --resume RUN_DIR to go on with an ended sweep");
                    return ExitCodes.InvalidInput;
                }
                if (SpecLoading.Load(path, error, parsed.GetValue(code)) is not { } spec) return ExitCodes.InvalidInput;
                final = await LocalSweep.RunAsync(path, ExperimentText.Read(path).Text, spec, options, json ? error : output, error, cancellation);
            }
            else
            {
                if (ResumeProblem(path, options) is { } problem)
                {
                    error.WriteLine(problem);
                    return ExitCodes.InvalidInput;
                }
                if (SpecLoading.LoadSubmission(runDirectory, error) is not var (submitted, spec)) return ExitCodes.InvalidInput;
                if (!parsed.GetValue(allowChangedData) && ResumeData.Changed(runDirectory, spec, options.Data is { } data ? Path.GetFullPath(data) : null) is { } changed)
                {
                    error.WriteLine(changed);
                    return ExitCodes.InvalidInput;
                }
                // The sweep stays in its own folder: the runs folder is the one that holds it.
                options = options with { OutDirectory = Path.GetDirectoryName(Path.GetFullPath(runDirectory))! };
                final = await LocalSweep.ResumeAsync(runDirectory, submitted, spec, options.Trials!.Value, options, json ? error : output, error, cancellation);
            }
            if (final is null) return ExitCodes.InvalidInput;
            if (json) JsonOutput.Write(output, new SweepDocument(final));
            else SweepResultWriter.WriteTable(output, final);
            if (final.Status == SweepStatus.Cancelled && final.StoppedBecause is null) return ExitCodes.Interrupted;
            if (final.NoneCompleted() is not { } why) return ExitCodes.Ok;
            error.WriteLine($"sweepctl: {why}");
            return ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>What is wrong with the switches given with --resume, or null.</summary>
    private static string? ResumeProblem(string? path, LocalSweepOptions options) =>
        path is not null ? "give the experiment FILE or --resume RUN_DIR, not both: a resumed sweep keeps its own experiment"
        : options.Trials is null ? "--resume needs --trials +N: how many trials to add"
        : options.Seed is not null || options.Epochs is not null ? "--seed and --epochs are the sweep's own when it is resumed; leave them out"
        : options.WarmStart is not null ? "--warm-start starts a new sweep from earlier ones; a resumed sweep keeps what it started with"
        : null;
}
