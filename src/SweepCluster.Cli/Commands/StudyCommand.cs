using System.CommandLine;
using System.Diagnostics;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Node.Text;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// <c>sweepctl study FILE...</c>: the study's experiments run as the study ran them (random sampling, no pruning, the
/// files' epochs), one after the other in this process, and its table of best, mean and standard deviation of test_f1 per
/// network, failed trials counted as 0, next to the figures the study reported on the real SWGO data.
/// </summary>
internal static class StudyCommand
{
    /// <summary>The study's table (real SWGO data, 44,971 training and 14,989 test showers, 5 epochs): best, mean, std of test_f1.</summary>
    private static readonly Dictionary<string, (string Name, double Best, double Mean, double Std)> Reported = new()
    {
        ["cae"] = ("Convolutional Autoencoder", 0.988, 0.853, 0.199),
        ["convnet"] = ("Convolutional Classifier", 0.991, 0.910, 0.120),
        ["resnet"] = ("Residual Network", 0.987, 0.842, 0.216),
        ["vae"] = ("Variational Autoencoder", 0.982, 0.429, 0.414),
    };

    private static readonly Dictionary<string, string> AsTheStudyRan = new() { ["sampler"] = "random", ["pruner"] = "none" };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("FILE") { Description = "The study's experiment files (experiments/*.yml)", Arity = ArgumentArity.OneOrMore };
        var switches = new LocalSweepSwitches("Trials per network (default 8)", "Where the sweeps' run directories go");
        var command = new Command("study", "Run the study's experiments as the study ran them (random sampling, no pruning) and print its table beside the study's figures")
            { files };
        foreach (var option in switches.All) command.Options.Add(option);
        command.SetAction(async (parsed, cancellation) =>
        {
            var loaded = new List<(string Path, string Yaml, ExperimentSpec Spec)>();
            foreach (var path in parsed.GetValue(files)!)
            {
                if (SpecLoading.Load(path, error) is null) return ExitCodes.InvalidInput;
                var yaml = ExperimentOverrides.With(File.ReadAllText(path), AsTheStudyRan);
                loaded.Add((path, yaml, ExperimentSpecParser.Parse(yaml, path).Spec!));
            }
            var options = switches.Read(parsed, defaultTrials: 8);
            var rows = new List<(StudyRow Row, TimeSpan Took)>();
            foreach (var (path, yaml, spec) in loaded)
            {
                var watch = Stopwatch.StartNew();
                var sweep = await LocalSweep.RunAsync(path, yaml, spec, options, error, error, cancellation);
                if (sweep is null) return ExitCodes.InvalidInput;
                if (sweep.Status == SweepStatus.Cancelled) return ExitCodes.Interrupted;
                rows.Add((StudyRow.Of(spec.Trainer, sweep), watch.Elapsed));
                error.WriteLine($"{spec.Name}: {sweep.RunDirectory}");
            }
            Write(output, rows, options);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Write(TextWriter output, List<(StudyRow Row, TimeSpan Took)> rows, LocalSweepOptions options)
    {
        output.WriteLine($"random sampling, no pruning, {options.Trials} trials per network; failed trials count as test_f1 0; std is the population's");
        TextTable.Write(output,
            ["network", "completed", "failed", "best test_f1", "mean test_f1", "std", "minutes", "study: best", "mean", "std"],
            [
                .. rows.Select(r => (IReadOnlyList<string>)
                [
                    Reported.TryGetValue(r.Row.Trainer, out var study) ? study.Name : r.Row.Trainer,
                    $"{r.Row.Completed}", $"{r.Row.Failed}", Optional(r.Row.Best), Optional(r.Row.Mean), Optional(r.Row.Std),
                    r.Took.TotalMinutes.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
                    .. Reported.TryGetValue(r.Row.Trainer, out var s) ? new[] { Optional(s.Best), Optional(s.Mean), Optional(s.Std) } : ["-", "-", "-"],
                ]),
            ],
            new HashSet<int> { 1, 2, 3, 4, 5, 6, 7, 8, 9 });
        output.WriteLine("study: the study's own figures, on the real SWGO showers (44,971 training, 14,989 test), 5 epochs.");
    }

    private static string Optional(double? value) => value is { } v ? v.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
