using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SweepCluster.Cluster.Telemetry;

/// <summary>
/// The project's one <see cref="Meter"/> and one <see cref="ActivitySource"/>, named "SweepCluster". Names follow
/// OpenTelemetry's conventions (dotted, lower case, unit on the instrument, no "total"); labels stay low in
/// cardinality: sweep id and name, node, status, resource, role, never a trial id.
/// </summary>
public static class SweepTelemetry
{
    public const string Name = "SweepCluster";

    public static readonly Meter Meter = new(Name, "1.0");
    public static readonly ActivitySource Source = new(Name, "1.0");

    public static readonly Counter<long> TrialsStarted = Meter.CreateCounter<long>("sweep.trials.started", "{trial}", "Trial attempts started");
    public static readonly Counter<long> TrialsEnded = Meter.CreateCounter<long>("sweep.trials.ended", "{trial}", "Trial attempts ended, by status: completed, failed, pruned, cancelled");
    public static readonly Counter<long> TrialsRequeued = Meter.CreateCounter<long>("sweep.trials.requeued", "{trial}", "Trials sent back to wait because their worker was lost (retries)");
    public static readonly Histogram<double> TrialDuration = Meter.CreateHistogram<double>("sweep.trial.duration", "s", "Wall time of a trial attempt");
    public static readonly Histogram<double> EpochDuration = Meter.CreateHistogram<double>("sweep.epoch.duration", "s", "Wall time of one training epoch (or step)");
    public static readonly Counter<long> SamplesTrained = Meter.CreateCounter<long>("sweep.training.samples", "{sample}", "Training samples processed");
    public static readonly Histogram<double> SlotIdle = Meter.CreateHistogram<double>("sweep.slot.idle", "s", "Time from a trial's end to the next trial's start on the slot it freed");

    public static readonly ImmutableArray<string> EndStatuses = ["completed", "failed", "pruned", "cancelled"];

    private static readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<long>>>> RunningSources = new();
    private static readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<long>>>> PendingSources = new();
    private static readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<double>>>> BestSources = new();
    private static readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<double>>>> SlotSources = new();
    private static readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<double>>>> BusySources = new();
    private static readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<long>>>> MemberSources = new();
    private static readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<long>>>> UnreachableSources = new();

    static SweepTelemetry()
    {
        Meter.CreateObservableGauge("sweep.trials.running", () => RunningSources.Values.SelectMany(f => f()), "{trial}", "Trials running now");
        Meter.CreateObservableGauge("sweep.trials.pending", () => PendingSources.Values.SelectMany(f => f()), "{trial}", "Trials waiting to start");
        Meter.CreateObservableGauge("sweep.best.value", () => BestSources.Values.SelectMany(f => f()), "1", "The sweep's best metric value so far");
        Meter.CreateObservableGauge("sweep.worker.slots", () => SlotSources.Values.SelectMany(f => f()), "{slot}", "Slots a worker offers, by resource (gpu, cpu)");
        Meter.CreateObservableGauge("sweep.worker.slots.busy", () => BusySources.Values.SelectMany(f => f()), "{slot}", "Slots held by running trials, by resource");
        Meter.CreateObservableGauge("sweep.cluster.members", () => MemberSources.Values.SelectMany(f => f()), "{member}", "Cluster members by status and role, as this node sees them");
        Meter.CreateObservableGauge("sweep.cluster.unreachable", () => UnreachableSources.Values.SelectMany(f => f()), "{member}", "Members this node cannot reach");
    }

    /// <summary>Registers a coordinator's gauges; dispose the result when the coordinator stops.</summary>
    public static IDisposable ObserveCoordinator(object owner, Func<IEnumerable<Measurement<long>>> running, Func<IEnumerable<Measurement<long>>> pending,
        Func<IEnumerable<Measurement<double>>> best, Func<IEnumerable<Measurement<double>>> slots, Func<IEnumerable<Measurement<double>>> busy)
    {
        RunningSources[owner] = running;
        PendingSources[owner] = pending;
        BestSources[owner] = best;
        SlotSources[owner] = slots;
        BusySources[owner] = busy;
        return new Registration(() =>
        {
            RunningSources.TryRemove(owner, out _);
            PendingSources.TryRemove(owner, out _);
            BestSources.TryRemove(owner, out _);
            SlotSources.TryRemove(owner, out _);
            BusySources.TryRemove(owner, out _);
        });
    }

    public static IDisposable ObserveMembers(object owner, Func<IEnumerable<Measurement<long>>> members, Func<IEnumerable<Measurement<long>>> unreachable)
    {
        MemberSources[owner] = members;
        UnreachableSources[owner] = unreachable;
        return new Registration(() =>
        {
            MemberSources.TryRemove(owner, out _);
            UnreachableSources.TryRemove(owner, out _);
        });
    }

    private sealed class Registration(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
