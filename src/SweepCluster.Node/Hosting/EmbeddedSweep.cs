using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Node.Text;
using SweepCluster.Training.Trials;

namespace SweepCluster.Node.Hosting;

/// <param name="Slots">Trials to run at a time.</param>
/// <param name="Data">The shower data folder the networks read (the synthetic set when null).</param>
/// <param name="RunsDirectory">Where the sweep's run folder goes.</param>
/// <param name="MetricsPort">Serve /metrics on 127.0.0.1 at this port while the sweep runs.</param>
public sealed record EmbeddedSweepSettings(int Slots, string? Data, string RunsDirectory, int? MetricsPort = null);

/// <summary>
/// One sweep run to the end in this process: a node with both roles on loopback (the same actors as a cluster of
/// machines), the sweep started on it, its changes pushed to the caller until it ends. Its journal is in memory: nothing
/// outlives the process to resume from, so attempts are never retried from a checkpoint. sweepctl's <c>run</c> and
/// <c>study</c> drive it.
/// </summary>
public sealed class EmbeddedSweep : IAsyncDisposable
{
    private static readonly TimeSpan ClockEvery = TimeSpan.FromSeconds(2);

    private readonly NodeRuntime _node;

    private EmbeddedSweep(NodeRuntime node, string id) => (_node, Id) = (node, id);

    public string Id { get; }

    /// <summary>Starts a node and the sweep on it.</summary>
    /// <param name="start">What starts the sweep: a <see cref="SubmitSweep"/>, or an <see cref="ExtendSweep"/> of an ended sweep's run folder.</param>
    /// <param name="notes">Where what the user should know goes: no GPU for trials that ask for one, the metrics address, the warm start used, and the coordinator's errors.</param>
    /// <returns>The running sweep, or null when the coordinator rejected it (its errors are written to <paramref name="notes"/>).</returns>
    public static async Task<EmbeddedSweep?> StartAsync(ISweepMessage start, ExperimentSpec spec, EmbeddedSweepSettings settings, TextWriter notes,
        CancellationToken cancellation)
    {
        var runner = new TrainerTrialRunner();
        var gpus = spec.Resources.Gpu > 0 ? [.. runner.DetectGpus()] : ImmutableArray<int>.Empty;
        var gpuOnCpu = spec.Resources.Gpu > 0 && gpus.IsEmpty;
        if (gpuOnCpu) notes.WriteLine($"note: this machine has no GPU: trials that ask for gpu {spec.Resources.Gpu} run on CPU");
        var options = new NodeOptions([ClusterNames.CoordinatorRole, ClusterNames.WorkerRole], "127.0.0.1", 0, [],
            new WorkerOptions(gpus, settings.Slots * spec.Resources.Cpu, settings.Data, GpuTrialsOnCpu: gpuOnCpu, RunsDirectory: settings.RunsDirectory),
            settings.RunsDirectory, new JournalOptions.InMemory(), NodeOptions.DefaultHeartbeatPause, NodeOptions.DefaultDownAfter, Akka.Event.LogLevel.WarningLevel);
        var node = await NodeRuntime.StartAsync(options, runner, LogLevel.Warning, settings.MetricsPort, cancellation);
        try
        {
            if (node.MetricsUrl is { } metricsUrl) notes.WriteLine($"metrics on {metricsUrl}");
            switch (await node.Ask<object>(start))
            {
                case SweepAccepted accepted:
                    foreach (var line in accepted.WarmStart is { } warm ? SweepText.WarmStart(warm) : []) notes.WriteLine(line);
                    return new EmbeddedSweep(node, accepted.Id);
                case SweepExtensionAccepted extended:
                    return new EmbeddedSweep(node, extended.Id);
                case SweepRejected rejected:
                    foreach (var message in rejected.Errors) notes.WriteLine(message);
                    await node.DisposeAsync();
                    return null;
                case var other:
                    throw new InvalidOperationException($"unexpected answer {other.GetType().Name}");
            }
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Hands <paramref name="changed"/> the sweep's overview and running trials each time the coordinator says the sweep changed
    /// (at most every 200 ms, and at least every 2 s for the running trials' clocks), until it ends; cancelling the token cancels
    /// the sweep, and this waits for its running trials to stop.
    /// </summary>
    /// <returns>The ended sweep.</returns>
    public async Task<SweepSnapshot> RunToEndAsync(Action<SweepStatusFound> changed, CancellationToken cancellation)
    {
        using var changes = new SweepChanges(_node.System, _node.Coordinator, Id);
        var cancelSent = false;
        while (true)
        {
            if (cancellation.IsCancellationRequested && !cancelSent)
            {
                cancelSent = true;
                await _node.Ask<SweepCancelAccepted>(new CancelSweep(Id));
            }
            // The overview and the running trials only: the same size however many trials have ended, so watching costs nothing.
            var status = await _node.Ask<SweepStatusFound>(new GetSweepStatus(Id));
            changed(status);
            if (status.Sweep!.Header.State is SweepStatus.Completed or SweepStatus.Cancelled) return (await _node.Ask<SweepFound>(new GetSweep(Id))).Sweep!;
            try
            {
                await changes.NextAsync(ClockEvery, cancelSent ? CancellationToken.None : cancellation);
            }
            catch (OperationCanceledException)
            {
                // Cancelled: the loop sends the cancellation and keeps watching until the trials have stopped.
            }
        }
    }

    public ValueTask DisposeAsync() => _node.DisposeAsync();
}
