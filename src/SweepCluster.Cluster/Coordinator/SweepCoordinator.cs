using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using SweepCluster.Cluster.Telemetry;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;
using SweepCluster.Core.Trials;
using SweepCluster.Core.Scheduling;

namespace SweepCluster.Cluster.Coordinator;

/// <summary>
/// The cluster singleton that owns every sweep: it plans trials with each sweep's sampler as slots free up,
/// places them on workers, and records what they report. Decisions live in <see cref="SweepState"/>,
/// <see cref="WorkerPool"/> and <see cref="AttemptTracker"/>; this actor journals their events, routes messages
/// and writes each sweep's summary when it ends. An ended sweep then shrinks to a <see cref="FinishedSweep"/>: what
/// the coordinator holds grows with the sweeps running, not with every trial ever run.
/// </summary>
/// <remarks>
/// Each event is applied at once (the next decision needs it) and journalled asynchronously; what it makes happen outside
/// (a worker told to start) waits until it is written, so a successor never finds a worker running an attempt its journal lacks.
/// A successor recovers every sweep, and adopts the attempts workers report running; those no worker reports are retried.
/// </remarks>
public sealed class SweepCoordinator : ReceivePersistentActor, IWithTimers
{
    private readonly CoordinatorOptions _options;

    /// <summary>Sweeps by the token of the submission that started them: a repeated submission gets the same sweep.</summary>
    private readonly Dictionary<string, string> _sweepsByToken = [];
    private readonly AttemptTracker _tracker = new();
    private int _eventsSinceSnapshot;
    /// <summary>Why a running sweep in the snapshot could not be restored (its trials.jsonl is not on this node): recovery then starts over from the first event.</summary>
    private string? _unarchived;
    /// <summary>Sweeps not yet ended (and ended ones whose sweep.json could not be written), and their order of submission.</summary>
    private readonly Dictionary<string, SweepState> _sweeps = [];
    private readonly List<string> _order = [];
    private readonly Dictionary<string, FinishedSweep> _ended = [];
    /// <summary>The trials of the ended sweep last asked for, read from its sweep.json, kept while someone pages through them.</summary>
    private (string Id, IReadOnlyList<TrialDocument> Trials, IReadOnlyList<TrialDocument>? ByIndex, DateTimeOffset LastUsed)? _endedTrials;
    private static readonly TimeSpan EndedTrialsKept = TimeSpan.FromMinutes(1);
    private readonly WorkerPool _pool = new();
    private readonly Dictionary<string, IActorRef> _workers = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
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

    public SweepCoordinator(CoordinatorOptions options)
    {
        _options = options;
        Recover<SnapshotOffer>(offer => Restore((CoordinatorSnapshot)offer.Snapshot));
        Recover<ISweepEvent>(e =>
        {
            _eventsSinceSnapshot++;
            try
            {
                ApplyEvent(e);
            }
            catch (Exception error) when (error is KeyNotFoundException or InvalidOperationException or ArgumentException or IOException)
            {
                // One sweep's events that do not fit together (a journal another version or a fault left a gap in) leave that sweep
                // out, with the reason; every other sweep recovers.
                _log.Error("sweep {0} cannot be recovered from the journal and is left out: its {1} does not apply ({2}: {3})",
                    e.SweepId, e.GetType().Name, error.GetType().Name, error.Message);
                if (_sweeps.Remove(e.SweepId, out var broken)) broken.Dispose();
                _order.Remove(e.SweepId);
            }
        });
        Recover<RecoveryCompleted>(_ => Recovered());
        Command<SubmitSweep>(Submit);
        Command<ConfirmSweep>(Confirm);
        Command<GetConfirmation>(q => Sender.Tell(ConfirmationOf(q.Id)));
        Command<CancelSweep>(Cancel);
        Command<EnqueueTrial>(Enqueue);
        Command<ExtendSweep>(Extend);
        Command<RegisterWorker>(Register);
        Command<ReportTrialProgress>(Progress);
        Command<ReportTrialEnded>(Ended);
        Command<Terminated>(t => WorkerLost(t.ActorRef));
        Command<CheckAttemptsNow>(_ => CheckAttempts());
        Command<GetSweep>(q => Sender.Tell(new SweepFound(_sweeps.TryGetValue(q.Id, out var s) ? s.Snapshot() : null)));
        Command<ListSweeps>(q => Sender.Tell(new SweepsListed([.. Overviews().Skip(q.Offset).Take(Math.Clamp(q.Limit, 0, ListSweeps.MaxLimit))], _ended.Count + _sweeps.Count)));
        Command<GetSweepStatus>(q => Sender.Tell(StatusOf(q.Id)));
        Command<GetTrials>(q => Sender.Tell(TrialsOf(q)));
        Command<GetTrial>(q => Sender.Tell(TrialOf(q)));
        Command<GetPoints>(q => Sender.Tell(PointsOf(q)));
        Command<GetExperiment>(q => Sender.Tell((_sweeps.GetValueOrDefault(q.Id)?.Submitted ?? _ended.GetValueOrDefault(q.Id)?.Submitted) is { } submitted
            ? new ExperimentFound(submitted.SpecYaml, submitted.Source, submitted.CodeDirectory)
            : new ExperimentFound(null, null)));
        Command<GetWorkers>(_ => Sender.Tell(new WorkersListed(_pool.Snapshot())));
        Command<SaveSnapshotSuccess>(saved => DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(failed => _log.Warning("could not save a snapshot of the sweeps (recovery replays more events): {0}", failed.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failed => _log.Warning("could not delete old snapshots: {0}", failed.Cause.Message));
    }

    public override string PersistenceId => ClusterNames.CoordinatorPersistenceId;

    public ITimerScheduler Timers { get; set; } = null!;

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
        foreach (var sweep in _sweeps.Values) sweep.Dispose();
    }

    private static KeyValuePair<string, object?> Node(WorkerSnapshot w) => new("node", w.Node);

    private static KeyValuePair<string, object?> Resource(string resource) => new("resource", resource);

    private static TagList SweepTags(SweepState sweep) => SweepTags(sweep.Id, sweep.Submitted.Name);

    private static TagList SweepTags(string id, string name) => new() { { "sweep.id", id }, { "sweep.name", name } };

    private void PublishGauges() => _gauges = new GaugeSnapshot(
        [
            .. _ended.Values.Select(e => (SweepTags(e.Id, e.Overview.Header.Name), 0L, 0L, e.Overview.Header.Summary.Max)),
            .. _order.Select(id => _sweeps[id]).Select(s => (SweepTags(s), (long)s.Running.Count, (long)s.PendingCount, s.BestValue)),
        ],
        _pool.Snapshot());

    /// <summary>Every sweep, ended and running, in the order they were submitted; a running sweep's overview is made only for the page asked.</summary>
    private IEnumerable<SweepOverview> Overviews() =>
        _ended.Values.Select(e => (At: e.Overview.Header.SubmittedAt, e.Id))
            .Concat(_order.Select(id => (_sweeps[id].Submitted.At, Id: id)))
            .OrderBy(s => s.At)
            .Select(s => _ended.TryGetValue(s.Id, out var ended) ? ended.Overview : _sweeps[s.Id].Overview());

    private void Submit(SubmitSweep command)
    {
        if (AnswerRepeated(command.ClientToken)) return;
        var parsed = ExperimentSpecParser.Parse(command.SpecYaml, command.Source, CodeFolder.Submitted(command.CodeDirectory));
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
        var (warmStart, problem) = WarmStartOf(spec, [.. spec.WarmStart ?? [], .. command.WarmStart ?? []]);
        if (problem is not null)
        {
            Sender.Tell(new SweepRejected([problem]));
            return;
        }
        var (id, name) = (NewSweepId(), command.Name ?? spec.Name);
        Begin(new SweepSubmitted(id, name, command.SpecYaml, command.Source, (int)total, command.Seed ?? spec.Seed, command.Epochs,
            false, RunDirectoryOf(name, id), _options.Now, command.ClientToken, WarmStart: warmStart, CodeDirectory: spec.CodeDirectory,
            CodePackage: spec.RunsCommands ? command.CodePackage : null));
    }

    /// <summary>
    /// The earlier sweeps' trials a new sweep starts from, or why it cannot: each source is a sweep id, or a run folder
    /// (a relative one in this node's runs folder) of a sweep this coordinator does not hold.
    /// </summary>
    private (WarmStartReport? Report, string? Problem) WarmStartOf(ExperimentSpec spec, IReadOnlyList<string> sources)
    {
        if (sources.Count == 0) return (null, null);
        var read = new List<WarmStartSource>();
        foreach (var source in sources.Distinct())
        {
            try
            {
                if (_sweeps.TryGetValue(source, out var live))
                    read.Add(new WarmStartSource(source, live.Spec.Metric, live.Snapshot().Trials.Select(TrialDocument.Of)));
                else if (_ended.TryGetValue(source, out var ended))
                    read.Add(new WarmStartSource(source, ended.Overview.Header.Metric, ended.ReadTrials()));
                else if (RunFolderNamed(source) is { } folder)
                {
                    var submitted = RunFolders.ReadSubmission(folder);
                    read.Add(new WarmStartSource(submitted.SweepId, (SpecOf(submitted) ?? throw new IOException($"the experiment in {folder} cannot be read by this version")).Metric,
                        RunFolders.ReadTrials(folder)));
                }
                else return (null, $"warm start: no sweep has the id '{source}', and the runs folder has no run folder '{source}'");
            }
            catch (IOException e)
            {
                return (null, $"warm start from {source}: {e.Message}");
            }
        }
        return WarmStart.Decide(spec, read);
    }

    /// <summary>
    /// The run folder a warm start names, inside the runs folder (unless <see cref="CoordinatorOptions.WarmStartAnywhere"/>): an
    /// absolute path or <c>..</c> elsewhere gets the same answer as a folder that is not there, so that no submission learns what
    /// else is on this node's disk.
    /// </summary>
    private string? RunFolderNamed(string source)
    {
        var runs = Path.GetFullPath(_options.RunsDirectory);
        var folder = Path.GetFullPath(Path.Combine(runs, source));
        var inside = Path.GetRelativePath(runs, folder) is var relative && relative != "." && !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative);
        return (inside || _options.WarmStartAnywhere) && Directory.Exists(folder) && new DirectoryInfo(folder).LinkTarget is null ? folder : null;
    }

    /// <summary>A submission repeated with its token (a retry after a timeout) is answered with the sweep it started.</summary>
    private bool AnswerRepeated(string? clientToken)
    {
        if (clientToken is null || !_sweepsByToken.TryGetValue(clientToken, out var earlier)) return false;
        Sender.Tell(new SweepAccepted(earlier, _ended.TryGetValue(earlier, out var ended) ? ended.Overview.Header.TotalTrials : _sweeps[earlier].TotalTrials));
        return true;
    }

    private static string NewSweepId() => Guid.NewGuid().ToString("N")[..8];

    private string RunDirectoryOf(string name, string id) => Path.GetFullPath(Path.Combine(_options.RunsDirectory, $"{Slug(name)}-{id}"));

    private void Begin(SweepSubmitted submitted)
    {
        var sender = Sender;
        if (Record(submitted, () => sender.Tell(new SweepAccepted(submitted.SweepId, submitted.TotalTrials, submitted.WarmStart?.Summary()))) is { } problem)
        {
            sender.Tell(new SweepRejected([$"the sweep cannot be recorded in the journal: {problem}"]));
            return;
        }
        var sweep = _sweeps[submitted.SweepId];
        StartSpan(sweep);
        // Every series a dashboard reads exists from the start: "no failures yet" shows as 0, not as missing data.
        var tags = SweepTags(sweep);
        SweepTelemetry.TrialsStarted.Add(0, tags);
        SweepTelemetry.TrialsRequeued.Add(0, tags);
        foreach (var status in SweepTelemetry.EndStatuses) SweepTelemetry.TrialsEnded.Add(0, With(tags, "status", status));
        _log.Info("sweep {0} '{1}' submitted: {2} trials of {3}", sweep.Id, sweep.Submitted.Name, sweep.Submitted.TotalTrials, sweep.Spec.Trainer);
        Schedule();
    }

    /// <summary>
    /// A new sweep of the source sweep's best configurations under new seeds: the same experiment, epochs and device rules,
    /// its trials planned from the configurations instead of sampled. Its seed derives from the source's, so confirming again
    /// repeats the same runs.
    /// </summary>
    private void Confirm(ConfirmSweep command)
    {
        if (AnswerRepeated(command.ClientToken)) return;
        var (source, best, problem) = ConfirmationSource(command);
        if (source is null || best is null)
        {
            Sender.Tell(new SweepRejected([problem!]));
            return;
        }
        var metric = SpecOf(source)!.Metric.Name;
        var plan = new ConfirmationPlan(command.Id, command.Seeds,
            [.. best.Select(t => new ConfirmedConfiguration(t.Index, t.Metrics[metric], t.Params))]);
        var (id, name) = (NewSweepId(), $"{source.Name} (confirm)");
        Begin(source with
        {
            SweepId = id,
            Name = name,
            TotalTrials = plan.TotalTrials,
            Seed = (long)(SplitMix64.Mix((ulong)source.Seed ^ 0x636f6e6669726dUL) >> 1),
            RunDirectory = RunDirectoryOf(name, id),
            At = _options.Now,
            ClientToken = command.ClientToken,
            Confirms = plan,
            WarmStart = null, // it runs its plan; nothing is sampled
        });
    }

    /// <summary>The sweep to confirm and its best completed trials, or why it cannot be confirmed.</summary>
    private (SweepSubmitted? Source, IReadOnlyList<TrialDocument>? Best, string? Problem) ConfirmationSource(ConfirmSweep command)
    {
        if (command.Top is < 1 or > ConfirmationPlan.MaxConfigurations)
            return (null, null, $"--top takes 1 to {ConfirmationPlan.MaxConfigurations} configurations (got {command.Top})");
        if (command.Seeds is < 1 or > ConfirmationPlan.MaxSeeds)
            return (null, null, $"--seeds takes 1 to {ConfirmationPlan.MaxSeeds} seeds per configuration (got {command.Seeds})");
        SweepSubmitted? source;
        IEnumerable<TrialDocument> trials;
        try
        {
            if (_sweeps.TryGetValue(command.Id, out var live)) (source, trials) = (live.Submitted, live.Snapshot().ByMetric().Select(TrialDocument.Of));
            else if (_ended.TryGetValue(command.Id, out var ended))
            {
                if (ended.Submitted is null)
                    return (null, null, $"sweep {command.Id} ended before coordinators kept the experiments of ended sweeps: submit its file again and confirm that sweep");
                (source, trials) = (ended.Submitted, EndedTrials(ended));
            }
            else return (null, null, $"no sweep has the id '{command.Id}' (sweep list shows them)");
        }
        catch (IOException e)
        {
            return (null, null, e.Message);
        }
        var metric = SpecOf(source)!.Metric.Name;
        // Distinct configurations: a grid point run several times is one configuration, confirmed once.
        var best = trials.Where(t => t.Status == TrialStatus.Completed && t.Metrics.ContainsKey(metric))
            .DistinctBy(t => System.Text.Json.JsonSerializer.Serialize(t.Params, SweepJson.Compact)).Take(command.Top).ToList();
        return best.Count == 0 ? (null, null, $"sweep {command.Id} has no completed trial to confirm yet") : (source, best, null);
    }

    private ConfirmationFound ConfirmationOf(string id)
    {
        SweepOverview overview;
        ConfirmationPlan? plan;
        IEnumerable<(int, TrialStatus, IReadOnlyDictionary<string, double>)> trials;
        if (_sweeps.TryGetValue(id, out var live))
        {
            (overview, plan) = (live.Overview(), live.Submitted.Confirms);
            try
            {
                trials = plan is null ? [] : [.. live.TrialsByIndex().Select(t => (t.Index, t.Status, (IReadOnlyDictionary<string, double>)t.Metrics))];
            }
            catch (IOException e)
            {
                return new ConfirmationFound(overview, null, e.Message);
            }
        }
        else if (_ended.TryGetValue(id, out var ended))
        {
            (overview, plan) = (ended.Overview, ended.Submitted?.Confirms);
            try
            {
                trials = plan is null ? [] : EndedTrials(ended).Select(t => (t.Index, t.Status, (IReadOnlyDictionary<string, double>)t.Metrics));
            }
            catch (IOException e)
            {
                return new ConfirmationFound(overview, null, e.Message);
            }
        }
        else return new ConfirmationFound(null, null);
        if (plan is null) return new ConfirmationFound(overview, null, $"sweep {id} is not a confirmation (sweep confirm starts one)");
        return new ConfirmationFound(overview, ConfirmationVerdict.Of(plan, overview.Header.Metric, trials.ToList()));
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

    private void Enqueue(EnqueueTrial command)
    {
        if (!_sweeps.TryGetValue(command.Id, out var sweep))
        {
            Sender.Tell(new SweepRejected([_ended.ContainsKey(command.Id) ? $"sweep {command.Id} has ended: nothing more runs in it" : $"no sweep has the id '{command.Id}'"]));
            return;
        }
        var (enqueued, errors) = sweep.DecideEnqueue(command.Values);
        if (enqueued is null)
        {
            Sender.Tell(new SweepRejected(errors));
            return;
        }
        var sender = Sender;
        var ahead = sweep.EnqueuedCount;
        Record(enqueued, () => sender.Tell(new TrialEnqueueAccepted(command.Id, ahead)));
        Schedule();
    }

    private void Extend(ExtendSweep command)
    {
        var (sweep, adopted, problem) = Extensible(command);
        var (extended, error) = sweep?.DecideExtend(command.Added, _options.Now, adopted) ?? (null, problem);
        if (sweep is null || extended is null)
        {
            Sender.Tell(new SweepRejected([error!]));
            return;
        }
        var wasEnded = sweep.IsEnded;
        if (!_sweeps.ContainsKey(sweep.Id))
        {
            _ended.Remove(sweep.Id);
            Add(sweep);
        }
        var sender = Sender;
        Record(extended, () => sender.Tell(new SweepExtensionAccepted(sweep.Id, extended.PreviousTrials, extended.TotalTrials)));
        if (wasEnded) StartSpan(sweep);
        _log.Info("sweep {0} extended by {1} trials to {2}", sweep.Id, command.Added, extended.TotalTrials);
        Schedule();
    }

    /// <summary>The sweep to extend: a running one, an ended one rebuilt from its sweep.json, or one of a run folder this coordinator does not hold.</summary>
    private (SweepState? Sweep, SweepSubmitted? Adopted, string? Problem) Extensible(ExtendSweep command)
    {
        if (_sweeps.TryGetValue(command.Id, out var live)) return (live, null, null);
        try
        {
            if (_ended.TryGetValue(command.Id, out var ended))
                return ended.Submitted is null
                    ? (null, null, $"sweep {command.Id} ended before coordinators kept the experiments of ended sweeps: it cannot be extended")
                    : (Rebuild(ended.Submitted, int.MaxValue), null, null);
            if (command.RunDirectory is not { } folder) return (null, null, $"no sweep has the id '{command.Id}' (sweep list shows them)");
            var adopted = RunFolders.ReadSubmission(folder) with { RunDirectory = Path.GetFullPath(folder) };
            if (adopted.SweepId != command.Id) return (null, null, $"{folder} holds sweep {adopted.SweepId}, not {command.Id}");
            return (Rebuild(adopted, int.MaxValue), adopted, null);
        }
        catch (IOException e)
        {
            return (null, null, e.Message);
        }
    }

    /// <summary>An ended sweep with its first <paramref name="planned"/> trials, from its sweep.json.</summary>
    /// <exception cref="IOException">The sweep.json cannot be read, or holds an experiment this version rejects.</exception>
    private SweepState Rebuild(SweepSubmitted submitted, int planned) =>
        SweepState.Resume(submitted, SpecOf(submitted) ?? throw new IOException($"sweep {submitted.SweepId}'s experiment cannot be read by this version"),
            RunFolders.ReadTrials(submitted.RunDirectory), planned, NewArchive(submitted, TrialArchive.ResumedFileName(planned)));

    /// <summary>
    /// Where a running sweep's ended trials go: <c>trials.jsonl</c> in its run folder, or memory (and every journal snapshot)
    /// when that cannot be written.
    /// </summary>
    private TrialArchive NewArchive(SweepSubmitted submitted, string fileName = TrialArchive.FileName)
    {
        try
        {
            return TrialArchive.InFile(submitted.RunDirectory, fileName);
        }
        catch (IOException e)
        {
            _log.Warning("sweep {0} keeps its ended trials in memory: {1}", submitted.SweepId, e.Message);
            return TrialArchive.InMemory();
        }
    }

    private void Cancel(CancelSweep command)
    {
        if (_ended.TryGetValue(command.Id, out var ended))
        {
            Sender.Tell(new SweepCancelAccepted(command.Id, true, $"sweep {command.Id} had already ended ({ended.Overview.Header.State.ToString().ToLowerInvariant()})"));
            return;
        }
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
        var sender = Sender;
        Record(new SweepCancelled(sweep.Id, _options.Now), () =>
        {
            foreach (var trial in running) TellWorker(trial.Worker, new CancelTrial(sweep.Id, trial.Index, trial.Attempt));
            sender.Tell(new SweepCancelAccepted(command.Id, true, $"sweep {command.Id}: {running.Count} running trials are being stopped, pending ones dropped"));
        });
        _gaugesStale = true;
    }

    /// <summary>
    /// A worker's key: its actor path with the actor's UID, so that a worker restarted on the same host and port is a new
    /// worker, not the dead incarnation whose trials are still to be retried.
    /// </summary>
    private static string WorkerKey(IActorRef worker) => worker.Path.ToSerializationFormat();

    private void Register(RegisterWorker offer)
    {
        var worker = WorkerKey(Sender);
        var now = _options.Now;
        var joined = !_pool.Contains(worker);
        _pool.Offer(worker, offer.Node, offer.Gpus, offer.CpuSlots, offer.GpuTrialsOnCpu, offer.LeavesAt, offer.Problem);
        if (joined)
        {
            Context.Watch(Sender);
            _workers[worker] = Sender;
            _log.Info("worker {0} joined: gpus [{1}], {2} cpu slots", offer.Node, string.Join(",", offer.Gpus), offer.CpuSlots);
            HoldRecoveredAttempts(worker);
        }
        var running = offer.Running.Select(r => (Id: new AttemptId(r.SweepId, r.Index, r.Attempt), r.IdleSeconds)).ToList();
        foreach (var gone in _tracker.Reported(worker, running, now))
            FailAttempt(gone, "its worker no longer ran it when the coordinator restarted", retryable: true, null, 0);
        // An attempt the journal does not know as running (requeued, pruned, or started by a coordinator that died before writing it) only holds a slot.
        foreach (var (id, _) in running.Where(r => !IsCurrent(r.Id)))
            Sender.Tell(new CancelTrial(id.SweepId, id.Index, id.Attempt));
        Schedule();
    }

    /// <summary>A recovered coordinator's first word from a worker: the attempts the journal places there hold their resources again.</summary>
    private void HoldRecoveredAttempts(string worker)
    {
        foreach (var sweep in _sweeps.Values.Where(s => !s.IsEnded))
            foreach (var trial in sweep.Running.Where(t => t.Worker == worker))
            {
                var id = new AttemptId(sweep.Id, trial.Index, trial.Attempt);
                if (_tracker.IsConfirmed(id)) continue;
                var resources = sweep.Resources;
                _pool.Hold(id.ToString(), new Placement(worker, trial.Device ?? "cpu", trial.Gpus, Math.Min(resources.Gpu, 1), resources.Cpu));
            }
    }

    private void Progress(ReportTrialProgress report)
    {
        var id = new AttemptId(report.SweepId, report.Index, report.Attempt);
        if (Current(id) is not { } sweep) return;
        _tracker.Alive(id, _options.Now);
        Record(new TrialProgressed(report.SweepId, report.Index, report.Attempt, report.Point));
        if (!sweep.ShouldPrune(report.Index)) return;
        // The slot is free at once; the worker stops the attempt between batches, and its late report is ignored.
        var worker = sweep.Trial(report.Index).Worker;
        _pool.Release(id.ToString());
        _tracker.Forget(id);
        SweepTelemetry.TrialsEnded.Add(1, With(SweepTags(sweep), "status", "pruned"));
        Record(new TrialPruned(sweep.Id, report.Index, report.Attempt, report.Point.Epoch, report.Point.Value, _options.Now),
            () => TellWorker(worker, new CancelTrial(sweep.Id, report.Index, report.Attempt)));
        Schedule();
    }

    private void Ended(ReportTrialEnded report)
    {
        var id = new AttemptId(report.SweepId, report.Index, report.Attempt);
        var sender = Sender;
        if (Current(id) is not { } sweep)
        {
            sender.Tell(new ForgetTrialEnd(id.SweepId, id.Index, id.Attempt)); // a stale attempt's result: counted never, acknowledged all the same
            return;
        }
        if (report.Released)
        {
            var decision = sweep.DecideRelease(id.Index, id.Attempt, report.Reason ?? "released", _options.Now);
            _pool.Release(id.ToString(), done: false);
            _tracker.Forget(id);
            _log.Info("trial {0} was given back by its leaving worker and will run again: {1}", id, report.Reason);
            if (decision is TrialCancelled) CountEnd(sweep, "cancelled", report.DurationSeconds);
            Record(decision, () => sender.Tell(new ForgetTrialEnd(id.SweepId, id.Index, id.Attempt)));
            Schedule();
            return;
        }
        if (report.Status == TrialStatus.Failed)
        {
            FailAttempt(id, report.Reason ?? "failed", report.Retryable, report.DivergedAtEpoch, report.DurationSeconds,
                () => sender.Tell(new ForgetTrialEnd(id.SweepId, id.Index, id.Attempt)), backOff: true);
            Schedule();
            return;
        }
        _pool.Release(id.ToString());
        _tracker.Forget(id);
        var now = _options.Now;
        CountEnd(sweep, report.Status.ToString().ToLowerInvariant(), report.DurationSeconds);
        Record(report.Status == TrialStatus.Completed
                ? new TrialCompleted(sweep.Id, report.Index, report.Attempt, report.Metrics, report.DurationSeconds, report.ArtifactDirectory, now)
                : new TrialCancelled(sweep.Id, report.Index, now),
            () => sender.Tell(new ForgetTrialEnd(id.SweepId, id.Index, id.Attempt)));
        Schedule();
    }

    /// <summary>A running attempt failed: the sweep's state decides whether the trial is retried or fails for good.</summary>
    /// <param name="backOff">
    /// The attempt failed on its worker (not a lost or stalled one): its next attempt waits 1, 2, 4, ... s (at most a minute), so that
    /// a fault that lasts a while (a full disk, a folder it cannot write) does not burn every retry at once.
    /// </param>
    private void FailAttempt(AttemptId id, string reason, bool retryable, int? divergedAtEpoch, double durationSeconds, Action? afterwards = null, bool backOff = false)
    {
        var sweep = _sweeps[id.SweepId];
        var decision = sweep.DecideFailure(id.Index, id.Attempt, reason, retryable, divergedAtEpoch, durationSeconds, _options.Now);
        _pool.Release(id.ToString(), done: decision is not TrialRequeued);
        _tracker.Forget(id);
        if (decision is TrialRequeued)
        {
            _log.Warning("trial {0} attempt failed and will run again: {1}", id, reason);
            SweepTelemetry.TrialsRequeued.Add(1, SweepTags(sweep));
        }
        else CountEnd(sweep, decision is TrialCancelled ? "cancelled" : "failed", durationSeconds);
        Record(decision, afterwards);
        if (decision is TrialRequeued && backOff)
            sweep.HoldBack(id.Index, _options.Now + TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Max(0, sweep.Trial(id.Index).FailedAttempts.Count - 1)))));
    }

    private static void CountEnd(SweepState sweep, string status, double durationSeconds)
    {
        var tags = With(SweepTags(sweep), "status", status);
        SweepTelemetry.TrialsEnded.Add(1, tags);
        SweepTelemetry.TrialDuration.Record(durationSeconds, tags);
    }

    private void WorkerLost(IActorRef actor)
    {
        var worker = WorkerKey(actor);
        if (!_workers.Remove(worker)) return;
        var node = _pool.NodeOf(worker);
        _log.Warning("worker {0} lost: it left the cluster", node);
        _pool.Remove(worker);
        foreach (var sweep in _sweeps.Values.Where(s => !s.IsEnded))
            foreach (var trial in sweep.Running.Where(t => t.Worker == worker).ToList())
                FailAttempt(new AttemptId(sweep.Id, trial.Index, trial.Attempt), $"worker lost: {node} left the cluster", retryable: true, null,
                    trial.SecondsSinceStart(_options.Now) ?? 0);
        Schedule();
    }

    /// <summary>
    /// Every second: publishes the gauges if they changed, and retries attempts that stalled and attempts of the journal
    /// that no worker took up again after a recovery.
    /// </summary>
    private void CheckAttempts()
    {
        if (_gaugesStale) PublishGauges();
        _gaugesStale = false;
        var now = _options.Now;
        if (_endedTrials is { } cached && now - cached.LastUsed > EndedTrialsKept) _endedTrials = null;
        var changed = false;
        foreach (var id in _tracker.Unclaimed(now, _options.RecoveryGrace))
        {
            FailAttempt(id, $"no worker reported it within {_options.RecoveryGrace.TotalSeconds:0} s of the coordinator's recovery", retryable: true, null, 0);
            changed = true;
        }
        foreach (var id in _tracker.Stalled(now, sweepId => _sweeps[sweepId].Spec.StallTimeout))
        {
            var sweep = _sweeps[id.SweepId];
            var worker = sweep.Trial(id.Index).Worker;
            FailAttempt(id, $"stalled: no epoch and no trained batch for {sweep.Spec.StallTimeout.TotalSeconds:0} s (stall_timeout)", retryable: true, null,
                sweep.Trial(id.Index).SecondsSinceStart(now) ?? 0,
                () => TellWorker(worker, new CancelTrial(id.SweepId, id.Index, id.Attempt)));
            changed = true;
        }
        if (changed || _sweeps.Values.Any(s => s.HoldsTrialsBack)) Schedule(); // a held-back trial's time may have come
    }

    private void TellWorker(string? worker, object message)
    {
        if (worker is not null && _workers.TryGetValue(worker, out var actor)) actor.Tell(message);
    }

    /// <summary>Starts every trial that has a place, sweeps in the order they came; the rest wait with the reason.</summary>
    private void Schedule()
    {
        var now = _options.Now;
        foreach (var sweep in _order.Select(id => _sweeps[id]).Where(s => s.HasTrialToStartAt(now)))
        {
            while (sweep.HasTrialToStartAt(now))
            {
                var placement = _pool.TryPlace(sweep.Resources, out var reason, _options.Now, sweep.ExpectedTrialSeconds);
                sweep.PendingReason = placement is null ? reason : null;
                if (placement is null) break;
                var (index, planned) = sweep.NextToStart(now);
                if (planned is not null) Record(planned);
                var trial = sweep.Trial(index);
                var id = new AttemptId(sweep.Id, index, trial.Attempt + 1);
                _pool.Hold(id.ToString(), placement);
                _tracker.Started(id, placement.Worker, now);
                SweepTelemetry.TrialsStarted.Add(1, SweepTags(sweep));
                var start = new StartTrial(sweep.Id, index, id.Attempt, sweep.Spec.Trainer, trial.Params, trial.Seed, placement.Device,
                    sweep.Submitted.Epochs, sweep.Spec.TimeoutPerTrial?.TotalSeconds, RunFolders.Trial(sweep.Submitted.RunDirectory, index),
                    _sweepSpans.GetValueOrDefault(sweep.Id)?.Id, CommandOf(sweep.Spec, sweep.Submitted.CodePackage) is { } command ? command with { Gpus = placement.Gpus } : null);
                Record(new TrialStarted(sweep.Id, index, id.Attempt, placement.Worker, _pool.NodeOf(placement.Worker), placement.Device, placement.Gpus, now),
                    () => TellWorker(placement.Worker, start));
            }
        }
        _gaugesStale = true;
    }

    /// <summary>
    /// Applies the event now and journals it; <paramref name="afterwards"/> runs once it is written. An event the journal cannot
    /// store (a number JSON cannot hold, a value nested past its depth) is neither applied nor journalled, so that no gap is left
    /// for recovery to trip over: a result becomes the attempt's failure, an epoch is left out, and a sweep that cannot be
    /// recorded further is cancelled. Returns why it was not recorded, or null.
    /// </summary>
    private string? Record(ISweepEvent e, Action? afterwards = null)
    {
        if (Unstorable(e) is { } problem)
        {
            _log.Error("sweep {0}: a {1} cannot be journalled and is not recorded: {2}", e.SweepId, e.GetType().Name, problem);
            ISweepEvent? instead = e switch
            {
                TrialCompleted c => new TrialFailed(c.SweepId, c.Index, c.Attempt, $"its result cannot be recorded: {problem}", c.DurationSeconds, c.At),
                SweepSubmitted or TrialProgressed or SweepCancelled => null,
                _ when _sweeps.TryGetValue(e.SweepId, out var sweep) && !sweep.IsEnded => new SweepCancelled(e.SweepId, _options.Now),
                _ => null,
            };
            if (instead is not null) Record(instead, afterwards);
            return problem;
        }
        ApplyEvent(e);
        PersistAsync(e, _ => afterwards?.Invoke());
        if (++_eventsSinceSnapshot < _options.SnapshotEvery || _eventsSinceSnapshot < TrialsHeld()) return null;
        _eventsSinceSnapshot = 0;
        // The state now includes events still being written, and a snapshot is filed under the last one written: it is
        // taken now and saved once this event is written, so that recovery replays exactly the events after it.
        var snapshot = new CoordinatorSnapshot([.. _order.Select(id => _sweeps[id].ToMemento())], [.. _ended.Values.Select(e => e.ToMemento())]);
        DeferAsync(snapshot, SaveSnapshot);
        return null;
    }

    private static string? Unstorable(ISweepEvent e)
    {
        try
        {
            JsonSerializer.SerializeToUtf8Bytes(e, e.GetType(), Serialization.SweepMessageSerializer.Options);
            return null;
        }
        catch (Exception error) when (error is ArgumentException or JsonException or NotSupportedException or InvalidOperationException)
        {
            return error.Message.Split('\n')[0];
        }
    }

    /// <summary>
    /// The trials a snapshot would copy. Snapshots wait for at least as many events, so that a running 100,000-trial sweep
    /// costs at most one trial's copy per event (a snapshot every 2,000 events copied it 50 times per trial), and recovery
    /// replays at most that many events after it.
    /// </summary>
    private int TrialsHeld() => _sweeps.Values.Sum(s => s.HeldInSnapshot);

    private void ApplyEvent(ISweepEvent e)
    {
        if (e is SweepSubmitted submitted)
        {
            if (SpecOf(submitted) is { } spec) Add(new SweepState(submitted, spec, NewArchive(submitted)));
            return;
        }
        if (e is SweepExtended extended && !_sweeps.ContainsKey(e.SweepId)) Readopt(extended);
        if (!_sweeps.TryGetValue(e.SweepId, out var sweep)) return;
        var wasEnded = sweep.IsEnded;
        sweep.Apply(e);
        if (!wasEnded && sweep.IsEnded && !IsRecovering) Finish(sweep);
    }

    /// <summary>In recovery, a sweep extended after it had shrunk (or adopted from a run folder) is rebuilt as it was then.</summary>
    private void Readopt(SweepExtended extended)
    {
        if ((_ended.GetValueOrDefault(extended.SweepId)?.Submitted ?? extended.Adopted) is not { } submitted) return;
        try
        {
            var sweep = Rebuild(submitted, extended.PreviousTrials);
            _ended.Remove(sweep.Id);
            Add(sweep);
        }
        catch (IOException e)
        {
            _log.Error("sweep {0} was extended, and cannot be rebuilt from its run folder; it is left out: {1}", extended.SweepId, e.Message);
        }
    }

    /// <summary>A v1 snapshot holds ended sweeps whole: they shrink once recovery is complete, as any ended sweep does.</summary>
    private void Restore(CoordinatorSnapshot snapshot)
    {
        foreach (var memento in snapshot.Sweeps)
        {
            if (SpecOf(memento.Submitted) is not { } spec) continue;
            try
            {
                Add(SweepState.FromMemento(memento, spec, () => NewArchive(memento.Submitted)));
            }
            catch (IOException e)
            {
                _unarchived = $"sweep {memento.Submitted.SweepId}: {e.Message}";
            }
        }
        foreach (var memento in snapshot.Finished ?? [])
            AddEnded(FinishedSweep.FromMemento(memento));
    }

    private SweepStatusFound StatusOf(string id)
    {
        if (_ended.TryGetValue(id, out var ended)) return new SweepStatusFound(ended.Overview, [], ended.Troubled, ended.TroubledCount);
        if (!_sweeps.TryGetValue(id, out var sweep)) return new SweepStatusFound(null, [], [], 0);
        var (troubled, count) = sweep.Troubled();
        return new SweepStatusFound(sweep.Overview(), [.. sweep.Running.OrderBy(t => t.Index).Select(t => t.Snapshot())], troubled, count);
    }

    private TrialsFound TrialsOf(GetTrials query)
    {
        SweepOverview overview;
        IEnumerable<TrialDocument> trials;
        if (_ended.TryGetValue(query.Id, out var ended))
        {
            overview = ended.Overview;
            try
            {
                trials = EndedTrials(ended, query.ByIndex);
            }
            catch (IOException e)
            {
                return new TrialsFound(overview, [], 0, e.Message);
            }
        }
        else if (_sweeps.TryGetValue(query.Id, out var sweep))
        {
            overview = sweep.Overview();
            try
            {
                // In index order a page is read straight from the sweep's records: no copy of every trial per page.
                if (query.ByIndex)
                    return Page(overview, [.. sweep.TrialsByIndex(query.State, query.Offset).Take(Math.Clamp(query.Limit, 0, GetTrials.MaxLimit)).Select(TrialDocument.Of)],
                        query, sweep.CountTrials(query.State));
                trials = [.. sweep.Snapshot().ByMetric().Select(TrialDocument.Of)];
            }
            catch (IOException e)
            {
                return new TrialsFound(overview, [], 0, e.Message);
            }
        }
        else return new TrialsFound(null, [], 0);
        IReadOnlyList<TrialDocument> matching = query.State is null ? trials as IReadOnlyList<TrialDocument> ?? [.. trials] : [.. trials.Where(t => t.Status == query.State)];
        return Page(overview, matching.Skip(query.Offset).Take(Math.Clamp(query.Limit, 0, GetTrials.MaxLimit)), query, matching.Count);
    }

    private PointsFound PointsOf(GetPoints query)
    {
        SweepOverview overview;
        IEnumerable<(int Index, TrialStatus Status, IReadOnlyDictionary<string, double> Metrics, ParamValue.Map Params)> trials;
        int total;
        if (_ended.TryGetValue(query.Id, out var ended))
        {
            try
            {
                var all = EndedTrials(ended, byIndex: true);
                (overview, trials, total) = (ended.Overview, all.Skip(query.Offset).Select(t => (t.Index, t.Status, (IReadOnlyDictionary<string, double>)t.Metrics, t.Params)), all.Count);
            }
            catch (IOException e)
            {
                return new PointsFound(ended.Overview, [], 0, e.Message);
            }
        }
        else if (_sweeps.TryGetValue(query.Id, out var sweep))
            (overview, trials, total) = (sweep.Overview(), sweep.TrialsByIndex(skip: query.Offset).Select(t => (t.Index, t.Status, (IReadOnlyDictionary<string, double>)t.Metrics, t.Params)),
                sweep.PlannedCount);
        else return new PointsFound(null, [], 0);
        var metric = overview.Header.Metric.Name;
        var page = ImmutableArray.CreateBuilder<TrialPoint>();
        var bytes = 0;
        try
        {
            foreach (var t in trials)
            {
                bytes += 60 + (int)(1.5 * t.Params.ToString().Length); // JSON of the parameters is about their text, quoted
                if (bytes > GetPoints.MaxBytes && page.Count > 0) break;
                page.Add(new TrialPoint(t.Index, t.Status,
                    t.Status is TrialStatus.Completed or TrialStatus.Pruned && t.Metrics.TryGetValue(metric, out var v) ? v : null, t.Params));
            }
        }
        catch (IOException e)
        {
            return new PointsFound(overview, [], 0, e.Message);
        }
        return new PointsFound(overview, page.ToImmutable(), total);
    }

    private static TrialsFound Page(SweepOverview overview, IEnumerable<TrialDocument> page, GetTrials query, int matching) =>
        new(overview, [.. query.WithCurves ? FitCurves(page) : page.Select(t => t with { Curve = null })], matching);

    /// <summary>The trials of a page with their curves, as many as fit a frame (at least one).</summary>
    private static IEnumerable<TrialDocument> FitCurves(IEnumerable<TrialDocument> page)
    {
        var points = 0;
        foreach (var trial in page)
        {
            points += trial.Curve?.Length ?? 0;
            if (points > GetTrials.MaxCurvePoints && points > (trial.Curve?.Length ?? 0)) yield break;
            yield return trial;
        }
    }

    private TrialFound TrialOf(GetTrial query)
    {
        var overview = _sweeps.GetValueOrDefault(query.Id)?.Overview() ?? _ended.GetValueOrDefault(query.Id)?.Overview;
        if (overview is null) return new TrialFound(null, null);
        try
        {
            return new TrialFound(overview, _sweeps.TryGetValue(query.Id, out var sweep)
                ? sweep.FindTrial(query.Index) is { } trial ? TrialDocument.Of(trial) : null
                : EndedTrials(_ended[query.Id]).FirstOrDefault(t => t.Index == query.Index));
        }
        catch (IOException e)
        {
            return new TrialFound(overview, null, e.Message);
        }
    }

    /// <summary>The ended sweep's trials best first, or by index: each order made once while someone pages through them.</summary>
    private IReadOnlyList<TrialDocument> EndedTrials(FinishedSweep sweep, bool byIndex = false)
    {
        var now = _options.Now;
        if (_endedTrials is not { } cached || cached.Id != sweep.Id) cached = (sweep.Id, sweep.ReadTrials(), null, now);
        if (byIndex && cached.ByIndex is null) cached.ByIndex = [.. cached.Trials.OrderBy(t => t.Index)];
        _endedTrials = cached with { LastUsed = now };
        return byIndex ? cached.ByIndex! : cached.Trials;
    }

    private void Add(SweepState sweep)
    {
        _sweeps[sweep.Id] = sweep;
        _order.Add(sweep.Id);
        if (sweep.Submitted.ClientToken is { } token) _sweepsByToken[token] = sweep.Id;
    }

    private void AddEnded(FinishedSweep sweep)
    {
        _ended[sweep.Id] = sweep;
        if (_endedTrials?.Id == sweep.Id) _endedTrials = null; // an extended sweep that ended again has a new sweep.json
        if (sweep.ClientToken is { } token) _sweepsByToken[token] = sweep.Id;
    }

    /// <summary>An ended sweep whose sweep.json is written keeps only its header, best and troubled trials in memory.</summary>
    private void Shrink(SweepState sweep)
    {
        if (_options.KeepEndedSweeps) return;
        _sweeps.Remove(sweep.Id);
        _order.Remove(sweep.Id);
        AddEnded(FinishedSweep.Of(sweep));
        sweep.Dispose();
    }

    /// <summary>
    /// The experiment a journalled sweep runs. Only a journal written by another version can hold one this version rejects:
    /// that sweep is left out (its events stay in the journal), not lost.
    /// </summary>
    private static CommandJob? CommandOf(ExperimentSpec spec, string? package) =>
        spec is { Commands: { } commands, CodeDirectory: { } code } ? new CommandJob([.. commands], code, spec.Metric.Name, spec.DataDirectory, CodePackage: package) : null;

    private ExperimentSpec? SpecOf(SweepSubmitted submitted)
    {
        var parsed = ExperimentSpecParser.Parse(submitted);
        if (parsed.Spec is null)
            _log.Error("sweep {0} in the journal cannot be read by this version and is left out: {1}", submitted.SweepId, string.Join("; ", parsed.Errors));
        return parsed.Spec;
    }

    /// <summary>
    /// The journal is read: running attempts wait for their workers to report them (a worker's heartbeat reaches the new
    /// singleton within seconds), and a sweep that ended just before the old coordinator died gets its summary written.
    /// </summary>
    private void Recovered()
    {
        if (_unarchived is not null)
        {
            ReplayWhole();
            return;
        }
        var now = _options.Now;
        var unfinished = _sweeps.Values.Where(s => !s.IsEnded).ToList();
        foreach (var sweep in unfinished)
        {
            StartSpan(sweep);
            foreach (var trial in sweep.Running)
                _tracker.Recovered(new AttemptId(sweep.Id, trial.Index, trial.Attempt), trial.Worker ?? "", now);
        }
        foreach (var sweep in _sweeps.Values.Where(s => s.IsEnded).ToList())
        {
            // An extended sweep's sweep.json may be the one written when it first ended.
            if (sweep.TotalTrials == sweep.Submitted.TotalTrials && File.Exists(Path.Combine(sweep.Submitted.RunDirectory, RunFolders.SummaryFile))) Shrink(sweep);
            else Finish(sweep);
        }
        if (_sweeps.Count + _ended.Count > 0)
            _log.Info("recovered {0} sweeps from the journal ({1} unfinished, {2} attempts waiting for their workers to report)",
                _sweeps.Count + _ended.Count, unfinished.Count, _tracker.Count);
        Timers.StartPeriodicTimer(nameof(CheckAttempts), CheckAttemptsNow.Instance, TimeSpan.FromSeconds(1));
        Schedule();
    }

    /// <summary>
    /// A snapshot points into a running sweep's trials.jsonl, which this node lacks (the singleton moved to a node that does not
    /// share the runs folder) or cannot read. Every event is still in the journal: the snapshots are deleted and the coordinator
    /// stops, and its back-off supervisor starts it again to replay the journal from the first event, which writes the file anew.
    /// </summary>
    private void ReplayWhole()
    {
        _log.Warning("{0}; the journal's snapshots are deleted and every sweep is recovered from the journal's first event instead", _unarchived);
        DeleteSnapshots(new SnapshotSelectionCriteria(long.MaxValue));
        Become(() =>
        {
            Command<DeleteSnapshotsSuccess>(_ => Context.Stop(Self));
            Command<DeleteSnapshotsFailure>(failed =>
            {
                _log.Error("could not delete the journal's snapshots, so the sweep cannot be recovered from the first event: {0}", failed.Cause.Message);
                Context.Stop(Self);
            });
            CommandAny(_ => { }); // asked during the seconds this takes, a client asks again
        });
    }

    private void Finish(SweepState sweep)
    {
        SweepSnapshot snapshot;
        try
        {
            snapshot = sweep.Snapshot();
        }
        catch (IOException e)
        {
            // It stays a running sweep's state, which the next recovery ends again.
            _log.Error("sweep {0} has ended and its summary cannot be written: {1}", sweep.Id, e.Message);
            return;
        }
        if (_sweepSpans.Remove(sweep.Id, out var span))
        {
            span.SetTag("sweep.state", snapshot.Status.ToString().ToLowerInvariant()).SetTag("sweep.completed", snapshot.Summary.Completed)
                .SetTag("sweep.failed", snapshot.Summary.Failed).SetTag("sweep.best", snapshot.Summary.Max);
            span.Dispose();
        }
        _log.Info("sweep {0} {1}: {2}", sweep.Id, snapshot.Status.ToString().ToLowerInvariant(), snapshot.Summary);
        try
        {
            RunFolders.WriteEnded(snapshot, sweep.Submitted);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The sweep stays whole in memory (and in snapshots): its trials can be read from nowhere else.
            _log.Error(e, "could not write the summary of sweep {0} to {1}", sweep.Id, snapshot.RunDirectory);
            return;
        }
        Shrink(sweep);
    }

    /// <summary>The sweep, when the report is about the attempt now running; a stale attempt's report is ignored.</summary>
    private SweepState? Current(AttemptId id) => _sweeps.TryGetValue(id.SweepId, out var sweep) && sweep.IsRunning(id.Index, id.Attempt) ? sweep : null;

    private bool IsCurrent(AttemptId id) => Current(id) is not null;

    /// <summary>Sent by a timer every second; a test sends it to have the attempts checked at a time of its choosing.</summary>
    internal sealed record CheckAttemptsNow : INoSerializationVerificationNeeded
    {
        public static readonly CheckAttemptsNow Instance = new();
    }

    /// <summary>The name as a folder name: letters and digits, at most 64 of them, so that any name makes a run folder the disk takes.</summary>
    private static string Slug(string name)
    {
        var slug = new string([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        while (slug.Contains("--", StringComparison.Ordinal)) slug = slug.Replace("--", "-", StringComparison.Ordinal);
        slug = slug[..Math.Min(slug.Length, 64)].TrimEnd('-');
        return slug.Length == 0 ? "sweep" : slug;
    }
}
