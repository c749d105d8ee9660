using System.Collections.Immutable;
using System.CommandLine;
using SweepCluster.Cli.Kernels;
using SweepCluster.Cli.Output;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;
using SweepCluster.Node.Hosting;
using SweepCluster.Node.Text;
using SweepCluster.Training.Data;
using SweepCluster.Training.Trials;

namespace SweepCluster.Cli.Commands;

/// <param name="Workers">Trials to run at a time.</param>
/// <param name="WarmStart">Run folders (or sweep ids) to warm-start from.</param>
/// <param name="Check">Run the trainer's check (<see cref="TrainerCheck"/>) before submitting, and refuse the sweep if it fails.</param>
internal sealed record LocalSweepOptions(int? Trials, int? Epochs, int Workers, long? Seed, string? Data, string OutDirectory, int? MetricsPort = null,
    ImmutableArray<string>? WarmStart = null, bool Check = true);

/// <summary>The switches of the commands that run sweeps in this process (<c>run</c>, <c>study</c>).</summary>
internal sealed class LocalSweepSwitches(string trialsDescription, string outDescription)
{
    public Option<int?> Trials { get; } = Switches.PositiveInt("--trials", trialsDescription);
    public Option<int?> Epochs { get; } = Switches.PositiveInt("--epochs", "Epochs per trial, instead of the epochs parameter");
    public Option<int?> Workers { get; } = Switches.PositiveInt("--workers", "Trials to run at a time (default 1)");
    public Option<long?> Seed { get; } = new("--seed") { Description = "The sweep seed, instead of the file's" };
    public Option<string?> Data { get; } = new("--data") { Description = "Folder with one Train_*.h5 and one Test_*.h5 (default: the synthetic set)" };
    public Option<string> Out { get; } = new("--out") { Description = outDescription, DefaultValueFactory = _ => "runs" };
    public Option<bool> NoCheck { get; } = new("--no-check") { Description = "Start without checking first that the trainer runs on a small sample (a network: one epoch of 16 showers; your program: its --check if check: true)" };

    public IEnumerable<Option> All => [Trials, Epochs, Workers, Seed, Data, Out, NoCheck];

    public LocalSweepOptions Read(ParseResult parsed, int? defaultTrials = null, int? metricsPort = null) =>
        new(parsed.GetValue(Trials) ?? defaultTrials, parsed.GetValue(Epochs), parsed.GetValue(Workers) ?? 1, parsed.GetValue(Seed), parsed.GetValue(Data),
            parsed.GetValue(Out)!, metricsPort, Check: !parsed.GetValue(NoCheck));
}

/// <summary>
/// One sweep run to the end here (<c>run</c>, <c>study</c>): the trainer checked on a small sample first, then an
/// <see cref="EmbeddedSweep"/> in this process, its progress shown live.
/// </summary>
internal static class LocalSweep
{
    /// <summary>Submits the experiment (the file's text, or <c>study</c>'s rewrite of it) and runs it to the end.</summary>
    /// <returns>The ended sweep, or null when the coordinator rejected the experiment (its errors are written to <paramref name="error"/>).</returns>
    public static Task<SweepSnapshot?> RunAsync(string path, string specYaml, ExperimentSpec spec, LocalSweepOptions options, TextWriter progress,
        TextWriter error, CancellationToken cancellation)
    {
        var data = options.Data is null ? null : Path.GetFullPath(options.Data);
        if (options.Check && Checked(spec, data, () => ShowerData.Shared(data ?? SyntheticShowers.EnsureCached()), error, cancellation) is { } problem)
        {
            error.WriteLine($"{path}: the trainer's check failed, so no trial was started: {problem}");
            error.WriteLine("(fix the experiment or the program; --no-check starts the sweep without checking)");
            return Task.FromResult<SweepSnapshot?>(null);
        }
        return RunAsync(new SubmitSweep(specYaml, path, options.Trials, options.Seed, Epochs: options.Epochs, WarmStart: options.WarmStart, CodeDirectory: spec.CodeDirectory),
            spec, options, progress, error, cancellation);
    }

    /// <summary>Why the sweep's trainer cannot run on a small sample (<see cref="TrainerCheck"/>), or null; its work folder is removed after.</summary>
    public static string? Checked(ExperimentSpec spec, string? data, Func<ShowerData>? showers, TextWriter error, CancellationToken cancellation)
    {
        if (!spec.RunsCommands && KnownTrainers.NeedsData(spec.Trainer)) OneDnnChoice.Apply(error); // as the trials will train
        var work = Directory.CreateTempSubdirectory("sweepctl-check-").FullName;
        try
        {
            return TrainerCheck.Problem(spec, data, showers, work, cancellation);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Adds <paramref name="added"/> trials to the ended sweep of a run folder and runs them to the end (<c>run --resume</c>).</summary>
    public static Task<SweepSnapshot?> ResumeAsync(string runDirectory, SweepSubmitted submitted, ExperimentSpec spec, int added, LocalSweepOptions options,
        TextWriter progress, TextWriter error, CancellationToken cancellation) =>
        RunAsync(new ExtendSweep(submitted.SweepId, added, runDirectory), spec, options, progress, error, cancellation);

    /// <param name="start">What starts the sweep: a <see cref="SubmitSweep"/> or an <see cref="ExtendSweep"/>.</param>
    private static async Task<SweepSnapshot?> RunAsync(ISweepMessage start, ExperimentSpec spec, LocalSweepOptions options, TextWriter progress,
        TextWriter error, CancellationToken cancellation)
    {
        if (!spec.RunsCommands && KnownTrainers.NeedsData(spec.Trainer)) OneDnnChoice.Apply(error); // the networks, not the builtin objectives, convolve
        var settings = new EmbeddedSweepSettings(options.Workers, options.Data, options.OutDirectory, options.MetricsPort);
        await using var sweep = await EmbeddedSweep.StartAsync(start, spec, settings, error, cancellation);
        if (sweep is null) return null;
        return await new LiveView(progress).RunAsync(show => sweep.RunToEndAsync(status => show(SweepText.Progress(status.Sweep!, status.Running)), cancellation));
    }
}
