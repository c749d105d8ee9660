using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Event;
using SweepCluster.Cluster.Telemetry;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Cluster.Coordinator;

/// <summary>
/// The cluster singleton that owns every sweep: it plans trials with each sweep's sampler as slots free up,
/// places them on workers, and records what they report. Decisions live in <see cref="SweepState"/> and
/// <see cref="WorkerPool"/>; this actor routes messages and writes each sweep's summary when it ends.
/// </summary>
public sealed class SweepCoordinator : ReceiveActor
{
    private readonly CoordinatorOptions _options;
    private readonly Dictionary<string, SweepState> _sweeps = [];
    private readonly List<string> _order = [];
    private readonly WorkerPool _pool = new();
    private readonly Dictionary<string, IActorRef> _workers = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Activity> _sweepSpans = [];
    private IDisposable? _gaugeRegistration;
    private volatile GaugeSnapshot _gauges = GaugeSnapshot.Empty;

    /// <summary>What the gauges report, published by the actor after each change and read by the meter's callbacks on their own threads.</summary>
    private sealed record GaugeSnapshot(ImmutableArray<(TagList Tags, long Running, long Pending, double? Best)> Sweeps, ImmutableArray<WorkerSnapshot> Workers)
    {
        public static readonly GaugeSnapshot Empty = new([], []);
    }

    public SweepCoordinator(CoordinatorOptions options)
    {
        _options = options;
        Receive<SubmitSweep>(Submit);
        Receive<CancelSweep>(Cancel);
        Receive<RegisterWorker>(Register);
        Receive<ReportTrialProgress>(Progress);
        Receive<ReportTrialEnded>(Ended);
        Receive<Terminated>(t => WorkerLost(t.ActorRef, "its worker left the cluster"));
        Receive<GetSweep>(q => Sender.Tell(new SweepFound(_sweeps.TryGetValue(q.Id, out var s) ? s.Snapshot() : null)));
        Receive<ListSweeps>(_ => Sender.Tell(new SweepsListed([.. _order.Select(id => _sweeps[id].Snapshot())])));
        Receive<GetWorkers>(_ => Sender.Tell(new WorkersListed(_pool.Snapshot())));
    }

    protected override void PreStart() => _gaugeRegistration = SweepTelemetry.ObserveCoordinator(this,
        () => _gauges.Sweeps.Select(s => new Measurement<long>(s.Running, s.Tags)),
        () => _gauges.Sweeps.Select(s => new Measurement<long>(s.Pending, s.Tags)),
        () => _gauges.Sweeps.Where(s => s.Best is not null).Select(s => new Measurement<double>(s.Best!.Value, s.Tags)),
        () => _gauges.Workers.SelectMany(w => new[] { new Measurement<double>(w.CpuSlots, Node(w), Resource("cpu")), new Measurement<double>(w.Gpus.Length, Node(w), Resource("gpu")) }),
        () => _gauges.Workers.SelectMany(w => new[] { new Measurement<double>(w.CpuBusy, Node(w), Resource("cpu")), new Measurement<double>(w.GpuBusy.Values.Sum(), Node(w), Resource("gpu")) }));

    protected override void PostStop()
    {
        _gaugeRegistration?.Dispose();
        foreach (var span in _sweepSpans.Values) span.Dispose();
    }

    private static KeyValuePair<string, object?> Node(WorkerSnapshot w) => new("node", w.Node);

    private static KeyValuePair<string, object?> Resource(string resource) => new("resource", resource);

    private static TagList SweepTags(SweepState sweep) => new() { { "sweep.id", sweep.Id }, { "sweep.name", sweep.Submitted.Name } };

    private void PublishGauges() => _gauges = new GaugeSnapshot(
        [.. _order.Select(id => _sweeps[id]).Select(s => (SweepTags(s), (long)s.Running.Count, (long)s.PendingCount, s.BestValue))],
        _pool.Snapshot());

    private void Submit(SubmitSweep command)
    {
        var parsed = ExperimentSpecParser.Parse(command.SpecYaml, command.Source);
        if (parsed.Spec is not { } spec)
        {
            Sender.Tell(new SweepRejected([.. parsed.Errors.Select(e => e.ToString())]));
            return;
        }
        var total = TrialPlanner.TotalTrials(spec, command.Trials);
        if (total > TrialPlanner.MaxTrials)
        {
            Sender.Tell(new SweepRejected([$"the sweep would run {total} trials; at most {TrialPlanner.MaxTrials} are allowed"]));
            return;
        }
        var id = Guid.NewGuid().ToString("N")[..8];
        var name = command.Name ?? spec.Name;
        var submitted = new SweepSubmitted(id, name, command.SpecYaml, command.Source, (int)total, command.Seed ?? spec.Seed, command.Epochs,
            command.RunGpuTrialsOnCpu, Path.GetFullPath(Path.Combine(_options.RunsDirectory, $"{Slug(name)}-{id}")), DateTimeOffset.UtcNow);
        var sweep = new SweepState(submitted, spec);
        _sweeps[id] = sweep;
        _order.Add(id);
        StartSpan(sweep);
        // Every series a dashboard reads exists from the start: "no failures yet" shows as 0, not as missing data.
        var tags = SweepTags(sweep);
        SweepTelemetry.TrialsStarted.Add(0, tags);
        SweepTelemetry.TrialsRequeued.Add(0, tags);
        foreach (var status in SweepTelemetry.EndStatuses) SweepTelemetry.TrialsEnded.Add(0, With(tags, "status", status));
        _log.Info("sweep {0} '{1}' submitted: {2} trials of {3}", id, name, total, spec.Trainer);
        Sender.Tell(new SweepAccepted(id, (int)total));
        Schedule();
    }

    private void StartSpan(SweepState sweep)
    {
        var previous = Activity.Current;
        var span = SweepTelemetry.Source.StartActivity($"sweep {sweep.Submitted.Name}", ActivityKind.Internal, default(ActivityContext));
        Activity.Current = previous; // the sweep span outlives this message; it must not become the actor thread's ambient span
        if (span is null) return;
        span.SetTag("sweep.id", sweep.Id).SetTag("sweep.name", sweep.Submitted.Name).SetTag("sweep.trainer", sweep.Spec.Trainer)
            .SetTag("sweep.total_trials", sweep.Submitted.TotalTrials).SetTag("sweep.metric", sweep.Spec.Metric.Name);
        _sweepSpans[sweep.Id] = span;
    }

    private static TagList With(TagList tags, string key, object value)
    {
        var copy = tags;
        copy.Add(key, value);
        return copy;
    }

    private void Cancel(CancelSweep command)
    {
        if (!_sweeps.TryGetValue(command.Id, out var sweep))
        {
            Sender.Tell(new SweepCancelAccepted(command.Id, false, $"no sweep has the id '{command.Id}'"));
            return;
        }
        if (sweep.IsEnded)
        {
            Sender.Tell(new SweepCancelAccepted(command.Id, true, $"sweep {command.Id} had already ended ({sweep.Status.ToString().ToLowerInvariant()})"));
            return;
        }
        var running = sweep.Running.ToList();
        Apply(sweep, new SweepCancelled(sweep.Id, DateTimeOffset.UtcNow));
        foreach (var trial in running)
            if (trial.Worker is { } worker && _workers.TryGetValue(worker, out var actor))
                actor.Tell(new CancelTrial(sweep.Id, trial.Index, trial.Attempt));
        Sender.Tell(new SweepCancelAccepted(command.Id, true, $"sweep {command.Id}: {running.Count} running trials are being stopped, pending ones dropped"));
        PublishGauges();
    }

    private void Register(RegisterWorker offer)
    {
        var worker = Sender.Path.ToString();
        if (!_pool.Contains(worker))
        {
            Context.Watch(Sender);
            _workers[worker] = Sender;
            _log.Info("worker {0} joined: gpus [{1}], {2} cpu slots", offer.Node, string.Join(",", offer.Gpus), offer.CpuSlots);
        }
        _pool.Offer(worker, offer.Node, offer.Gpus, offer.CpuSlots);
        Schedule();
    }

    private void Progress(ReportTrialProgress report)
    {
        if (Current(report.SweepId, report.Index, report.Attempt) is not { } sweep) return;
        Apply(sweep, new TrialProgressed(report.SweepId, report.Index, report.Attempt, report.Point));
        if (!sweep.ShouldPrune(report.Index)) return;
        // The slot is free at once; the worker stops the attempt between batches, and its late report is ignored.
        var worker = sweep.Trial(report.Index).Worker;
        _pool.Release(AttemptKey(sweep.Id, report.Index, report.Attempt));
        SweepTelemetry.TrialsEnded.Add(1, With(SweepTags(sweep), "status", "pruned"));
        Apply(sweep, new TrialPruned(sweep.Id, report.Index, report.Attempt, report.Point.Epoch, report.Point.Value, DateTimeOffset.UtcNow));
        if (worker is not null && _workers.TryGetValue(worker, out var actor)) actor.Tell(new CancelTrial(sweep.Id, report.Index, report.Attempt));
        Schedule();
    }

    private void Ended(ReportTrialEnded report)
    {
        if (Current(report.SweepId, report.Index, report.Attempt) is not { } sweep) return;
        _pool.Release(AttemptKey(report.SweepId, report.Index, report.Attempt));
        var now = DateTimeOffset.UtcNow;
        var tags = With(SweepTags(sweep), "status", report.Status.ToString().ToLowerInvariant());
        SweepTelemetry.TrialsEnded.Add(1, tags);
        SweepTelemetry.TrialDuration.Record(report.DurationSeconds, tags);
        Apply(sweep, report.Status switch
        {
            TrialStatus.Completed => new TrialCompleted(sweep.Id, report.Index, report.Attempt, report.Metrics, report.DurationSeconds, report.ArtifactDirectory, now),
            TrialStatus.Cancelled => new TrialCancelled(sweep.Id, report.Index, now),
            _ => new TrialFailed(sweep.Id, report.Index, report.Attempt, report.Reason ?? "failed", report.DurationSeconds, now),
        });
        Schedule();
    }

    private void WorkerLost(IActorRef actor, string reason)
    {
        var worker = actor.Path.ToString();
        if (!_workers.Remove(worker)) return;
        _log.Warning("worker {0} lost: {1}", _pool.NodeOf(worker), reason);
        _pool.Remove(worker);
        foreach (var sweep in _sweeps.Values.Where(s => !s.IsEnded))
            foreach (var trial in sweep.Running.Where(t => t.Worker == worker).ToList())
            {
                SweepTelemetry.TrialsRequeued.Add(1, SweepTags(sweep));
                Apply(sweep, new TrialRequeued(sweep.Id, trial.Index, trial.Attempt, reason));
            }
        Schedule();
    }

    /// <summary>Starts every trial that has a place, sweeps in the order they came; the rest wait with the reason.</summary>
    private void Schedule()
    {
        foreach (var sweep in _order.Select(id => _sweeps[id]).Where(s => s.HasTrialToStart))
        {
            while (sweep.HasTrialToStart)
            {
                var placement = _pool.TryPlace(sweep.Resources, out var reason);
                sweep.PendingReason = placement is null ? reason : null;
                if (placement is null) break;
                var (index, planned) = sweep.NextToStart();
                if (planned is not null) Apply(sweep, planned);
                var trial = sweep.Trial(index);
                var attempt = trial.Attempt + 1;
                Apply(sweep, new TrialStarted(sweep.Id, index, attempt, placement.Worker, _pool.NodeOf(placement.Worker), placement.Device, DateTimeOffset.UtcNow));
                _pool.Hold(AttemptKey(sweep.Id, index, attempt), placement);
                SweepTelemetry.TrialsStarted.Add(1, SweepTags(sweep));
                _workers[placement.Worker].Tell(new StartTrial(sweep.Id, index, attempt, sweep.Spec.Trainer, trial.Params, trial.Seed, placement.Device,
                    sweep.Submitted.Epochs, sweep.Spec.TimeoutPerTrial?.TotalSeconds, Path.Combine(sweep.Submitted.RunDirectory, $"trial-{index:D4}"),
                    _sweepSpans.GetValueOrDefault(sweep.Id)?.Id));
            }
        }
        PublishGauges();
    }

    private void Apply(SweepState sweep, ISweepEvent e)
    {
        var wasEnded = sweep.IsEnded;
        sweep.Apply(e);
        if (!wasEnded && sweep.IsEnded) Finish(sweep);
    }

    private void Finish(SweepState sweep)
    {
        var snapshot = sweep.Snapshot();
        if (_sweepSpans.Remove(sweep.Id, out var span))
        {
            span.SetTag("sweep.state", snapshot.Status.ToString().ToLowerInvariant()).SetTag("sweep.completed", snapshot.Summary.Completed)
                .SetTag("sweep.failed", snapshot.Summary.Failed).SetTag("sweep.best", snapshot.Summary.Max);
            span.Dispose();
        }
        _log.Info("sweep {0} {1}: {2}", sweep.Id, snapshot.Status.ToString().ToLowerInvariant(), snapshot.Summary);
        try
        {
            Directory.CreateDirectory(snapshot.RunDirectory);
            File.WriteAllText(Path.Combine(snapshot.RunDirectory, "sweep.json"), SweepReport.ToJson(snapshot));
        }
        catch (IOException e)
        {
            _log.Error(e, "could not write the summary of sweep {0} to {1}", sweep.Id, snapshot.RunDirectory);
        }
    }

    /// <summary>The sweep, when the report is about the attempt now running; a stale attempt's report is ignored.</summary>
    private SweepState? Current(string sweepId, int index, int attempt) =>
        _sweeps.TryGetValue(sweepId, out var sweep) && sweep.IsRunning(index, attempt) ? sweep : null;

    private static string AttemptKey(string sweepId, int index, int attempt) => $"{sweepId}/{index}#{attempt}";

    private static string Slug(string name)
    {
        var slug = new string([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        while (slug.Contains("--", StringComparison.Ordinal)) slug = slug.Replace("--", "-", StringComparison.Ordinal);
        return slug.Length == 0 ? "sweep" : slug;
    }
}
