using System.Collections.Immutable;
using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using SweepCluster.Core.Results;
using SweepCluster.Core.Scheduling;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;
using SweepCluster.Core.Trials;

namespace SweepCluster.Cluster.Coordinator;

/// <summary>
/// The cluster singleton that owns every sweep: it plans trials with each sweep's sampler as slots free up,
/// places them on workers, and records what they report. Decisions live in <see cref="SweepState"/>,
/// <see cref="WorkerPool"/> and <see cref="AttemptTracker"/>; this actor journals their events, routes messages, keeps
/// each running sweep's ended trials in its archive (<see cref="ArchivedSweep"/>)
/// and writes each sweep's summary when it ends. An ended sweep then shrinks to a <see cref="FinishedSweep"/>: what
/// the coordinator holds grows with the sweeps running, not with every trial ever run.
/// </summary>
/// <remarks>
/// Each event is applied at once (the next decision needs it) and journalled asynchronously; what it makes happen outside
/// (a worker told to start) waits until it is written, so a successor never finds a worker running an attempt its journal lacks.
/// A successor recovers every sweep, and adopts the attempts workers report running; those no worker reports are retried.
/// Its handlers are in files by concern: the sweep commands (<c>.Submission.cs</c>), the worker protocol and scheduling
/// (<c>.Workers.cs</c>), the read queries (<c>.Queries.cs</c>), the gauges, counters and spans (<c>.Telemetry.cs</c>); this file holds the
/// state, journalling and recovery.
/// </remarks>
public sealed partial class SweepCoordinator : ReceivePersistentActor, IWithTimers
{
    private readonly CoordinatorOptions _options;

    /// <summary>Sweeps by the token of the submission that started them: a repeated submission gets the same sweep.</summary>
    private readonly Dictionary<string, string> _sweepsByToken = [];
    private readonly AttemptTracker _tracker = new();
    private int _eventsSinceSnapshot;
    /// <summary>Why a running sweep in the snapshot could not be restored (its trials.jsonl is not on this node): recovery then starts over from the first event.</summary>
    private string? _unarchived;
    /// <summary>Sweeps not yet ended (and ended ones whose sweep.json could not be written), and their order of submission.</summary>
    private readonly Dictionary<string, ArchivedSweep> _sweeps = [];
    private readonly List<string> _order = [];
    private readonly Dictionary<string, FinishedSweep> _ended = [];
    private readonly WorkerPool _pool = new();
    private readonly Dictionary<string, IActorRef> _workers = [];
    /// <summary>The sweep that was given a slot last: the next offer starts with the sweep after it.</summary>
    private string? _servedLast;
    /// <summary>Sweeps whose sampler is choosing their next trial's values off the actor's thread.</summary>
    private readonly HashSet<string> _suggesting = [];
    private readonly SamplerThreads _samplerThreads = new(Environment.ProcessorCount);
    private readonly ILoggingAdapter _log = Context.GetLogger();
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
        Command<SubmitSweep>(c => Refusing(c, Submit));
        Command<ConfirmSweep>(c => Refusing(c, Confirm));
        Command<GetConfirmation>(q => Answer(q.Id, () => ConfirmationOf(q.Id)));
        Command<CancelSweep>(Cancel);
        Command<EnqueueTrial>(c => Refusing(c, Enqueue));
        Command<ExtendSweep>(c => Refusing(c, Extend));
        Command<RegisterWorker>(Register);
        Command<ReportTrialProgress>(Progress);
        Command<ReportEpochProgress>(InEpoch);
        Command<ReportTrialEnded>(Ended);
        Command<Terminated>(t =>
        {
            if (!Unsubscribe(t.ActorRef)) WorkerLost(t.ActorRef);
        });
        Command<SubscribeToSweep>(Subscribe);
        Command<PushChangesNow>(_ => PushChanges());
        Command<CheckAttemptsNow>(_ => CheckAttempts());
        Command<SuggestionMade>(Suggested);
        Command<GetSweep>(q => Sender.Tell(new SweepFound(_sweeps.TryGetValue(q.Id, out var s) ? s.Snapshot() : null)));
        Command<ListSweeps>(q => Sender.Tell(new SweepsListed([.. Overviews().Skip(q.Offset).Take(Math.Clamp(q.Limit, 0, ListSweeps.MaxLimit))], _ended.Count + _sweeps.Count)));
        Command<GetSweepStatus>(q => Sender.Tell(StatusOf(q.Id)));
        Command<GetTrials>(q => Answer(q.Id, () => TrialsOf(q)));
        Command<GetTrial>(q => Answer(q.Id, () => TrialOf(q)));
        Command<GetPoints>(q => Answer(q.Id, () => PointsOf(q)));
        Command<EndedTrialsRead>(Read);
        Command<GetExperiment>(q => Sender.Tell((_sweeps.GetValueOrDefault(q.Id)?.State.Submitted ?? _ended.GetValueOrDefault(q.Id)?.Submitted) is { } submitted
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

    protected override void PreStart() => ObserveGauges();

    protected override void PostStop()
    {
        _gaugeRegistration?.Dispose();
        _samplerThreads.Dispose();
        foreach (var span in _sweepSpans.Values) span.Dispose();
        foreach (var sweep in _sweeps.Values) sweep.Dispose();
    }

    /// <summary>Every sweep, ended and running, in the order they were submitted; a running sweep's overview is made only for the page asked.</summary>
    private IEnumerable<SweepOverview> Overviews() =>
        _ended.Values.Select(e => (At: e.Overview.Header.SubmittedAt, e.Id))
            .Concat(_order.Select(id => (_sweeps[id].State.Submitted.At, Id: id)))
            .OrderBy(s => s.At)
            .Select(s => _ended.TryGetValue(s.Id, out var ended) ? ended.Overview : _sweeps[s.Id].State.Overview());

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
                _ when _sweeps.TryGetValue(e.SweepId, out var sweep) && !sweep.State.IsEnded => new SweepCancelled(e.SweepId, _options.Now),
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
        if (e is SweepSubmitted journalled)
        {
            var submitted = IsRecovering ? Relocated(journalled) : journalled;
            if (SpecOf(submitted) is { } spec) Add(new ArchivedSweep(new SweepState(submitted, spec), NewArchive(submitted)));
            return;
        }
        if (e is SweepExtended extended && !_sweeps.ContainsKey(e.SweepId)) Readopt(extended with { Adopted = extended.Adopted is { } adopted ? Relocated(adopted) : null });
        if (!_sweeps.TryGetValue(e.SweepId, out var sweep)) return;
        Changed(e.SweepId);
        var wasEnded = sweep.State.IsEnded;
        sweep.Apply(e);
        if (!wasEnded && sweep.State.IsEnded && !IsRecovering) Finish(sweep);
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
        foreach (var stored in snapshot.Sweeps)
        {
            var memento = stored with { Submitted = Relocated(stored.Submitted) };
            if (SpecOf(memento.Submitted) is not { } spec) continue;
            try
            {
                Add(ArchivedSweep.FromMemento(memento, spec, () => NewArchive(memento.Submitted)));
            }
            catch (IOException e)
            {
                _unarchived = $"sweep {memento.Submitted.SweepId}: {e.Message}";
            }
        }
        foreach (var memento in snapshot.Finished ?? [])
            AddEnded(FinishedSweep.FromMemento(memento with
            {
                Header = memento.Header with { RunDirectory = RunFolders.Relocated(memento.Header.RunDirectory, _options.RunsDirectory) },
                Submitted = memento.Submitted is { } submitted ? Relocated(submitted) : null,
            }));
    }

    private void Add(ArchivedSweep sweep)
    {
        _sweeps[sweep.Id] = sweep;
        _order.Add(sweep.Id);
        if (sweep.State.Submitted.ClientToken is { } token) _sweepsByToken[token] = sweep.Id;
    }

    private void AddEnded(FinishedSweep sweep)
    {
        _ended[sweep.Id] = sweep;
        if (_endedTrials?.Id == sweep.Id) _endedTrials = null; // an extended sweep that ended again has a new sweep.json
        if (sweep.ClientToken is { } token) _sweepsByToken[token] = sweep.Id;
    }

    /// <summary>An ended sweep whose sweep.json is written keeps only its header, best and troubled trials in memory.</summary>
    private void Shrink(ArchivedSweep sweep)
    {
        if (_options.KeepEndedSweeps) return;
        _sweeps.Remove(sweep.Id);
        _order.Remove(sweep.Id);
        AddEnded(FinishedSweep.Of(sweep.State));
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
        var unfinished = _sweeps.Values.Select(s => s.State).Where(s => !s.IsEnded).ToList();
        foreach (var sweep in unfinished)
        {
            StartSpan(sweep);
            foreach (var trial in sweep.Running)
                _tracker.Recovered(new AttemptId(sweep.Id, trial.Index, trial.Attempt), trial.Worker ?? "", now);
        }
        foreach (var sweep in _sweeps.Values.Where(s => s.State.IsEnded).ToList())
        {
            // An extended sweep's sweep.json may be the one written when it first ended.
            if (sweep.State.TotalTrials == sweep.State.Submitted.TotalTrials && File.Exists(Path.Combine(sweep.State.Submitted.RunDirectory, RunFolders.SummaryFile))) Shrink(sweep);
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

    private void Finish(ArchivedSweep sweep)
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
            RunFolders.WriteEnded(snapshot, sweep.State.Submitted);
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
    private SweepState? Current(AttemptId id) => _sweeps.GetValueOrDefault(id.SweepId)?.State is { } sweep && sweep.IsRunning(id.Index, id.Attempt) ? sweep : null;

    private bool IsCurrent(AttemptId id) => Current(id) is not null;

    /// <summary>Sent by a timer every second; a test sends it to have the attempts checked at a time of its choosing.</summary>
    internal sealed record CheckAttemptsNow : INoSerializationVerificationNeeded
    {
        public static readonly CheckAttemptsNow Instance = new();
    }
}
