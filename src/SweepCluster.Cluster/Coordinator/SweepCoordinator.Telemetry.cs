using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using SweepCluster.Cluster.Telemetry;
using SweepCluster.Core.Scheduling;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Cluster.Coordinator;

// Telemetry: the gauges (published by the actor at most once a second, read by the meter on its own threads), counts of trials
// started and ended, and a span per sweep.
public sealed partial class SweepCoordinator
{
    private readonly Dictionary<string, Activity> _sweepSpans = [];
    private IDisposable? _gaugeRegistration;
    private volatile GaugeSnapshot _gauges = GaugeSnapshot.Empty;
    /// <summary>Set by each change the gauges show; they are published at most once a second, not once per trial.</summary>
    private bool _gaugesStale = true;

    /// <summary>What the gauges report, published by the actor (at most once a second) and read by the meter's callbacks on their own threads.</summary>
    private sealed record GaugeSnapshot(ImmutableArray<(TagList Tags, long Running, long Pending, double? Best)> Sweeps, ImmutableArray<WorkerSnapshot> Workers)
    {
        public static readonly GaugeSnapshot Empty = new([], []);
    }

    private void ObserveGauges() => _gaugeRegistration = SweepTelemetry.ObserveCoordinator(this,
        () => _gauges.Sweeps.Select(s => new Measurement<long>(s.Running, s.Tags)),
        () => _gauges.Sweeps.Select(s => new Measurement<long>(s.Pending, s.Tags)),
        () => _gauges.Sweeps.Where(s => s.Best is not null).Select(s => new Measurement<double>(s.Best!.Value, s.Tags)),
        () => _gauges.Workers.SelectMany(w => new[] { new Measurement<double>(w.CpuSlots, Node(w), Resource("cpu")), new Measurement<double>(w.Gpus.Length, Node(w), Resource("gpu")) }),
        () => _gauges.Workers.SelectMany(w => new[] { new Measurement<double>(w.CpuBusy, Node(w), Resource("cpu")), new Measurement<double>(w.GpuBusy.Values.Sum(), Node(w), Resource("gpu")) }));

    private static KeyValuePair<string, object?> Node(WorkerSnapshot w) => new("node", w.Node);

    private static KeyValuePair<string, object?> Resource(string resource) => new("resource", resource);

    private static TagList SweepTags(SweepState sweep) => SweepTags(sweep.Id, sweep.Submitted.Name);

    private static TagList SweepTags(string id, string name) => new() { { "sweep.id", id }, { "sweep.name", name } };

    private void PublishGauges() => _gauges = new GaugeSnapshot(
        [
            .. _ended.Values.Select(e => (SweepTags(e.Id, e.Overview.Header.Name), 0L, 0L, e.Overview.Header.Summary.Max)),
            .. _order.Select(id => _sweeps[id]).Select(s => (SweepTags(s.State), (long)s.State.Running.Count, (long)s.State.PendingCount, s.State.BestValue)),
        ],
        _pool.Snapshot());

    private static void CountEnd(SweepState sweep, string status, double durationSeconds)
    {
        var tags = With(SweepTags(sweep), "status", status);
        SweepTelemetry.TrialsEnded.Add(1, tags);
        SweepTelemetry.TrialDuration.Record(durationSeconds, tags);
    }

    private void StartSpan(SweepState sweep)
    {
        var previous = Activity.Current;
        var span = SweepTelemetry.Source.StartActivity($"sweep {sweep.Submitted.Name}", ActivityKind.Internal, default(ActivityContext));
        Activity.Current = previous; // the sweep span outlives this message; it must not become the actor thread's ambient span
        if (span is null) return;
        span.SetTag("sweep.id", sweep.Id).SetTag("sweep.name", sweep.Submitted.Name).SetTag("sweep.trainer", sweep.Spec.Trainer)
            .SetTag("sweep.total_trials", sweep.TotalTrials).SetTag("sweep.metric", sweep.Spec.Metric.Name);
        _sweepSpans[sweep.Id] = span;
    }

    private static TagList With(TagList tags, string key, object value)
    {
        var copy = tags;
        copy.Add(key, value);
        return copy;
    }
}
