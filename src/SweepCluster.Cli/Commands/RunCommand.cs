using System.Collections.Immutable;
using System.CommandLine;
using Microsoft.Extensions.Logging;
using SweepCluster.Cli.Output;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Results;
using SweepCluster.Node.Hosting;
using SweepCluster.Node.Text;
using SweepCluster.Training.Trials;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// <c>sweepctl run FILE</c>: the whole job in one process. It starts an embedded cluster (both roles, the same
/// actors as a real cluster, on loopback), submits the sweep, shows its progress and prints the results.
/// </summary>
internal static class RunCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("FILE") { Description = "The experiment YAML file" };
        var trials = Switches.PositiveInt("--trials", "Trials per grid point, instead of the file's num_trials");
        var epochs = Switches.PositiveInt("--epochs", "Epochs per trial, instead of the epochs parameter");
        var workers = Switches.PositiveInt("--workers", "Trials to run at a time (default 1)");
        var seed = new Option<long?>("--seed") { Description = "The sweep seed, instead of the file's" };
        var data = new Option<string?>("--data") { Description = "Folder with one Train_*.h5 and one Test_*.h5 (default: the synthetic set)" };
        var outDir = new Option<string>("--out") { Description = "Where the sweep's run directory goes", DefaultValueFactory = _ => "runs" };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics while the sweep runs (0: a free port, printed)" };
        var format = OutputFormat.CreateOption();
        var command = new Command("run", "Run a sweep to the end on this machine, in one process") { file, trials, epochs, workers, seed, data, outDir, metricsPort, format };
        command.SetAction(async (parsed, cancellation) =>
        {
            var path = parsed.GetValue(file)!;
            var spec = SpecLoading.Load(path, error);
            if (spec is null) return ExitCodes.InvalidInput;
            var json = parsed.GetValue(format) == OutputFormat.Json;
            var parallel = parsed.GetValue(workers) ?? 1;
            var runner = new TrainerTrialRunner();
            var gpus = spec.Resources.Gpu > 0 ? [.. runner.DetectGpus()] : ImmutableArray<int>.Empty;
            var gpuOnCpu = spec.Resources.Gpu > 0 && gpus.IsEmpty;
            if (gpuOnCpu) error.WriteLine($"note: this machine has no GPU: trials that ask for gpu {spec.Resources.Gpu} run on CPU");
            // One process: nothing outlives it to resume from, so the journal stays in memory and attempts are never retried from a checkpoint.
            var node = new NodeOptions([ClusterNames.CoordinatorRole, ClusterNames.WorkerRole], "127.0.0.1", 0, [],
                new WorkerOptions(gpus, parallel * spec.Resources.Cpu, parsed.GetValue(data), GpuTrialsOnCpu: gpuOnCpu, RunsDirectory: parsed.GetValue(outDir)!), parsed.GetValue(outDir)!, new JournalOptions.InMemory(),
                NodeOptions.DefaultHeartbeatPause, NodeOptions.DefaultDownAfter, Akka.Event.LogLevel.WarningLevel);
            await using var cluster = await NodeRuntime.StartAsync(node, runner, LogLevel.Warning, parsed.GetValue(metricsPort), cancellation);
            if (cluster.MetricsUrl is { } metricsUrl) error.WriteLine($"metrics on {metricsUrl}");
            var submitted = await cluster.Ask<object>(new SubmitSweep(File.ReadAllText(path), path, parsed.GetValue(trials), parsed.GetValue(seed),
                Epochs: parsed.GetValue(epochs)));
            if (submitted is SweepRejected rejected)
            {
                foreach (var message in rejected.Errors) error.WriteLine(message);
                return ExitCodes.InvalidInput;
            }
            var id = ((SweepAccepted)submitted).Id;
            var final = await new LiveView(json ? error : output).RunAsync(show => Watch(cluster, id, show, cancellation));
            if (json) JsonOutput.Write(output, new SweepDocument(final));
            else SweepResultWriter.WriteTable(output, final);
            return final.Status == SweepStatus.Cancelled ? ExitCodes.Interrupted : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Shows progress until the sweep ends; Ctrl-C (the token) cancels the sweep and waits for its running trials to stop.</summary>
    private static async Task<SweepSnapshot> Watch(NodeRuntime cluster, string id, Action<IReadOnlyList<string>> show, CancellationToken cancellation)
    {
        var cancelSent = false;
        while (true)
        {
            if (cancellation.IsCancellationRequested && !cancelSent)
            {
                cancelSent = true;
                await cluster.Ask<SweepCancelAccepted>(new CancelSweep(id));
            }
            var sweep = (await cluster.Ask<SweepFound>(new GetSweep(id))).Sweep!;
            show(SweepText.Progress(sweep));
            if (sweep.Status is SweepStatus.Completed or SweepStatus.Cancelled) return sweep;
            try
            {
                await Task.Delay(PollInterval, cancelSent ? CancellationToken.None : cancellation);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C: the loop sends the cancellation and keeps watching until the trials have stopped.
            }
        }
    }
}
