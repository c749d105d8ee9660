using System.Collections.Immutable;
using System.CommandLine;
using Microsoft.Extensions.Logging;
using SweepCluster.Cli.Kernels;
using SweepCluster.Cli.Output;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Cluster.Worker;
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
internal sealed record EmbeddedSweepOptions(int? Trials, int? Epochs, int Workers, long? Seed, string? Data, string OutDirectory, int? MetricsPort = null,
    ImmutableArray<string>? WarmStart = null, bool Check = true);

/// <summary>The switches of the commands that run sweeps in this process (<c>run</c>, <c>study</c>).</summary>
internal sealed class EmbeddedSweepSwitches(string trialsDescription, string outDescription)
{
    public Option<int?> Trials { get; } = Switches.PositiveInt("--trials", trialsDescription);
    public Option<int?> Epochs { get; } = Switches.PositiveInt("--epochs", "Epochs per trial, instead of the epochs parameter");
    public Option<int?> Workers { get; } = Switches.PositiveInt("--workers", "Trials to run at a time (default 1)");
    public Option<long?> Seed { get; } = new("--seed") { Description = "The sweep seed, instead of the file's" };
    public Option<string?> Data { get; } = new("--data") { Description = "Folder with one Train_*.h5 and one Test_*.h5 (default: the synthetic set)" };
    public Option<string> Out { get; } = new("--out") { Description = outDescription, DefaultValueFactory = _ => "runs" };
    public Option<bool> NoCheck { get; } = new("--no-check") { Description = "Start without checking first that the trainer runs on a small sample (a network: one epoch of 16 showers; your program: its --check if check: true)" };

    public IEnumerable<Option> All => [Trials, Epochs, Workers, Seed, Data, Out, NoCheck];

    public EmbeddedSweepOptions Read(ParseResult parsed, int? defaultTrials = null, int? metricsPort = null) =>
        new(parsed.GetValue(Trials) ?? defaultTrials, parsed.GetValue(Epochs), parsed.GetValue(Workers) ?? 1, parsed.GetValue(Seed), parsed.GetValue(Data),
            parsed.GetValue(Out)!, metricsPort, Check: !parsed.GetValue(NoCheck));
}

/// <summary>
/// One sweep run to the end in this process: an embedded cluster (both roles, the same actors as a real cluster, on
/// loopback), the sweep submitted to it, its progress shown live. <c>run</c> and <c>study</c> use it.
/// </summary>
internal static class EmbeddedSweep
{
    private static readonly TimeSpan ClockEvery = TimeSpan.FromSeconds(2);

    /// <summary>Submits the experiment (the file's text, or <c>study</c>'s rewrite of it) and runs it to the end.</summary>
    /// <returns>The ended sweep, or null when the coordinator rejected the experiment (its errors are written to <paramref name="error"/>).</returns>
    public static Task<SweepSnapshot?> RunAsync(string path, string specYaml, ExperimentSpec spec, EmbeddedSweepOptions options, TextWriter progress,
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
    public static Task<SweepSnapshot?> ResumeAsync(string runDirectory, SweepSubmitted submitted, ExperimentSpec spec, int added, EmbeddedSweepOptions options,
        TextWriter progress, TextWriter error, CancellationToken cancellation) =>
        RunAsync(new ExtendSweep(submitted.SweepId, added, runDirectory), spec, options, progress, error, cancellation);

    /// <param name="start">What starts the sweep: a <see cref="SubmitSweep"/> or an <see cref="ExtendSweep"/>.</param>
    private static async Task<SweepSnapshot?> RunAsync(ISweepMessage start, ExperimentSpec spec, EmbeddedSweepOptions options, TextWriter progress,
        TextWriter error, CancellationToken cancellation)
    {
        if (!spec.RunsCommands && KnownTrainers.NeedsData(spec.Trainer)) OneDnnChoice.Apply(error); // the networks, not the builtin objectives, convolve
        var runner = new TrainerTrialRunner();
        var gpus = spec.Resources.Gpu > 0 ? [.. runner.DetectGpus()] : ImmutableArray<int>.Empty;
        var gpuOnCpu = spec.Resources.Gpu > 0 && gpus.IsEmpty;
        if (gpuOnCpu) error.WriteLine($"note: this machine has no GPU: trials that ask for gpu {spec.Resources.Gpu} run on CPU");
        // One process: nothing outlives it to resume from, so the journal stays in memory and attempts are never retried from a checkpoint.
        var node = new NodeOptions([ClusterNames.CoordinatorRole, ClusterNames.WorkerRole], "127.0.0.1", 0, [],
            new WorkerOptions(gpus, options.Workers * spec.Resources.Cpu, options.Data, GpuTrialsOnCpu: gpuOnCpu, RunsDirectory: options.OutDirectory),
            options.OutDirectory, new JournalOptions.InMemory(), NodeOptions.DefaultHeartbeatPause, NodeOptions.DefaultDownAfter, Akka.Event.LogLevel.WarningLevel);
        await using var cluster = await NodeRuntime.StartAsync(node, runner, LogLevel.Warning, options.MetricsPort, cancellation);
        if (cluster.MetricsUrl is { } metricsUrl) error.WriteLine($"metrics on {metricsUrl}");
        string id;
        switch (await cluster.Ask<object>(start))
        {
            case SweepAccepted accepted:
                id = accepted.Id;
                foreach (var line in accepted.WarmStart is { } warm ? SweepText.WarmStart(warm) : []) error.WriteLine(line);
                break;
            case SweepExtensionAccepted extended:
                id = extended.Id;
                break;
            case SweepRejected rejected:
                foreach (var message in rejected.Errors) error.WriteLine(message);
                return null;
            case var other:
                throw new InvalidOperationException($"unexpected answer {other.GetType().Name}");
        }
        return await new LiveView(progress).RunAsync(show => Watch(cluster, id, show, cancellation));
    }

    /// <summary>
    /// Shows progress as the coordinator says the sweep changed (at most every 200 ms, and at least every 2 s for the running trials'
    /// clocks) until the sweep ends; Ctrl-C (the token) cancels the sweep and waits for its running trials to stop.
    /// </summary>
    private static async Task<SweepSnapshot> Watch(NodeRuntime cluster, string id, Action<IReadOnlyList<string>> show, CancellationToken cancellation)
    {
        using var changes = new SweepChanges(cluster.System, cluster.Coordinator, id);
        var cancelSent = false;
        while (true)
        {
            if (cancellation.IsCancellationRequested && !cancelSent)
            {
                cancelSent = true;
                await cluster.Ask<SweepCancelAccepted>(new CancelSweep(id));
            }
            // The overview and the running trials only: the same size however many trials have ended, so watching costs nothing.
            var status = await cluster.Ask<SweepStatusFound>(new GetSweepStatus(id));
            show(SweepText.Progress(status.Sweep!, status.Running));
            if (status.Sweep!.Header.State is SweepStatus.Completed or SweepStatus.Cancelled) return (await cluster.Ask<SweepFound>(new GetSweep(id))).Sweep!;
            try
            {
                await changes.NextAsync(ClockEvery, cancelSent ? CancellationToken.None : cancellation);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C: the loop sends the cancellation and keeps watching until the trials have stopped.
            }
        }
    }
}
