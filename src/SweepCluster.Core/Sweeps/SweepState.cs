using System.Collections.Immutable;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Pruning;
using SweepCluster.Core.Results;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;

namespace SweepCluster.Core.Sweeps;

/// <summary>
/// One sweep's trials and what they are doing, changed only by <see cref="Apply"/>-ing events, so that it can be
/// rebuilt from a journal: events in, state out, no file touched. It decides what comes next (which trial waits, what the
/// sampler suggests); the coordinator actor turns those decisions into events, places trials and talks to workers.
/// </summary>
/// <remarks>
/// A trial that ends leaves memory: <see cref="TakeEnded"/> hands it over once (to the sweep's <see cref="TrialArchive"/>,
/// through <see cref="ArchivedSweep"/>), and what is held per ended trial is its status and its metric value, plus bounded
/// samples for the sampler (<see cref="FinishedHistory"/>) and the pruner; the summary, best and troubled trials are kept up
/// as trials end.
/// </remarks>
public sealed partial class SweepState
{
    // Kept incrementally, so that each event and each scheduling decision costs the same however large the sweep.
    /// <summary>Trials planned and not ended: waiting to start or running.</summary>
    private readonly SortedDictionary<int, TrialRecord> _live = [];
    /// <summary>Each ended trial's status plus one, by index; 0 for one not ended (or never planned).</summary>
    private byte[] _endedStatuses = new byte[64];
    private int _endedTrials;
    /// <summary>Trials that ended since <see cref="TakeEnded"/> was last called, in the order they ended.</summary>
    private readonly List<TrialSnapshot> _justEnded = [];
    private int _planned;
    private readonly Dictionary<int, TrialRecord> _running = [];
    private readonly FinishedHistory _history;
    /// <summary>Earlier sweeps' trials the sampler sees before this sweep's own (a warm start).</summary>
    private readonly int _warmCount;
    private readonly LinkedList<int> _waiting = new();
    /// <summary>Waiting trials that failed on their worker and wait before their next attempt (not journalled: a new coordinator retries at once).</summary>
    private readonly Dictionary<int, DateTimeOffset> _heldUntil = [];
    private readonly Queue<ImmutableDictionary<string, ParamValue>> _enqueued = new();
    /// <summary>The curves of the trials not ended.</summary>
    private readonly Dictionary<int, List<double>> _curves = [];
    /// <summary>The trials that have reported each epoch (index 0: the first), in the order they reported it: who a pruner compares with.</summary>
    private readonly List<EvenSample<(int Index, List<double> Curve)>> _reached = [];
    private readonly IPruner? _pruner;
    /// <summary>Each ended trial's metric value, by index (null when it has none): what the summary is computed from.</summary>
    private double?[] _values = new double?[64];
    private TrialSnapshot? _best;
    /// <summary>The ended trials that failed or were retried with the lowest indices, and how many there are.</summary>
    private readonly SortedList<int, TrialSnapshot> _troubledEnded = [];
    private int _troubledEndedCount;
    private double _completedSeconds;
    private int _completedCount;
    private readonly ISampler _sampler;
    private bool _cancelRequested;

    public SweepState(SweepSubmitted submitted, ExperimentSpec spec)
    {
        Submitted = submitted;
        Spec = spec;
        TotalTrials = submitted.TotalTrials;
        _history = new FinishedHistory(spec.Metric.Direction);
        // Indexed -1, -2, ...
        foreach (var (warm, k) in (submitted.WarmStart?.Used ?? []).Select((w, k) => (w, k))) _history.Add(new FinishedTrial(-1 - k, warm.Params, warm.Value));
        _warmCount = submitted.WarmStart?.Used.Length ?? 0;
        _sampler = TrialPlanner.CreateSampler(spec, submitted.Seed);
        var epochs = submitted.Epochs ?? (spec.Params["epochs"] is ParamValue.Int e ? (int)e.Value : 1);
        // A confirmation runs every configuration to the end: its point is the final values.
        _pruner = submitted.Confirms is null ? Pruners.Create(spec.Pruner, spec.Metric.Direction, epochs) : null;
    }

    /// <summary>True while a trial could be started: one waits to start again, or the sampler has more to give.</summary>
    public bool HasTrialToStart => HasTrialToStartAt(DateTimeOffset.MaxValue);

    /// <summary>A trial can start at <paramref name="now"/>: one waiting that is not held back, or one not planned yet.</summary>
    public bool HasTrialToStartAt(DateTimeOffset now) =>
        !_cancelRequested && !IsEnded && (_planned < TotalTrials || _waiting.Any(index => Due(index, now)));

    /// <summary>Some waiting trial is held back after a failure: the coordinator looks again when its time comes.</summary>
    public bool HoldsTrialsBack => _heldUntil.Count > 0;

    /// <summary>
    /// Holds the waiting trial back until <paramref name="until"/>: a trial that failed on its worker (a folder it cannot write, a
    /// program that crashes) does not burn its retries in a second. Other trials, and new ones, start meanwhile.
    /// </summary>
    public void HoldBack(int index, DateTimeOffset until) => _heldUntil[index] = until;

    private bool Due(int index, DateTimeOffset now) => !_heldUntil.TryGetValue(index, out var until) || until <= now;

    public IReadOnlyCollection<TrialRecord> Running => _running.Values;

    /// <summary>Trials planned so far.</summary>
    public int PlannedCount => _planned;

    /// <summary>Trials planned and not ended: waiting to start or running.</summary>
    public int LiveCount => _live.Count;

    /// <summary>The trials planned and not ended, in index order, as they are now.</summary>
    public IEnumerable<TrialSnapshot> LiveTrials => _live.Values.Select(t => t.Snapshot());

    /// <summary>Trials not yet started (what a snapshot reports as pending), without building a snapshot.</summary>
    public int PendingCount => _cancelRequested || IsEnded ? 0 : TotalTrials - _endedTrials - _running.Count;

    /// <summary>The best metric value of the completed trials so far, in the metric's direction.</summary>
    public double? BestValue { get; private set; }

    /// <summary>Why the sweep stopped itself, when it did.</summary>
    public string? StoppedBecause { get; private set; }

    /// <summary>How long a trial takes, judged by the mean of the completed ones; null before one has completed.</summary>
    public double? ExpectedTrialSeconds => _completedCount == 0 ? null : _completedSeconds / _completedCount;

    /// <summary>Keeps how far the running attempt's epoch has got, for status and the dashboard; an event of no consequence, so not journalled.</summary>
    public void NoteInEpoch(int index, int attempt, EpochProgress progress)
    {
        // A message from another node may hold anything: figures no epoch can have are left out, not shown (nor written as JSON).
        if (progress is not { Epoch: >= 1, Samples: >= 0, EpochSamples: >= 0, SamplesPerSecond: >= 0 } || !double.IsFinite(progress.SamplesPerSecond)) return;
        if (IsRunning(index, attempt)) _running[index].InEpoch = progress;
    }

    /// <summary>True when the attempt is the one now running for that trial (a stale attempt's report is not).</summary>
    public bool IsRunning(int index, int attempt) => _running.TryGetValue(index, out var trial) && trial.Attempt == attempt;

    /// <summary>A trial waiting to start or running.</summary>
    public TrialRecord Trial(int index) => _live[index];

    /// <summary>The trial while it waits to start or runs; null once it has ended (or before it is planned).</summary>
    public TrialSnapshot? LiveTrial(int index) => _live.TryGetValue(index, out var live) ? live.Snapshot() : null;

    /// <summary>True when the planned trial has ended (its record is then in the archive).</summary>
    public bool HasEnded(int index) => index >= 0 && index < _endedStatuses.Length && _endedStatuses[index] > 0;

    /// <summary>How many planned trials are in <paramref name="state"/> (all of them when not given).</summary>
    public int CountTrials(TrialStatus? state = null) => state is { } wanted ? Enumerable.Range(0, _planned).Count(i => StatusOf(i) == wanted) : _planned;

    /// <summary>A planned trial's status now.</summary>
    public TrialStatus StatusOf(int index) =>
        _live.TryGetValue(index, out var live) ? live.Status : HasEnded(index) ? (TrialStatus)(_endedStatuses[index] - 1) : TrialStatus.Pending;

    /// <summary>The trials that ended since the last call, in the order they ended, each handed over once: for the archive to keep.</summary>
    public IReadOnlyList<TrialSnapshot> TakeEnded()
    {
        if (_justEnded.Count == 0) return [];
        var ended = _justEnded.ToArray();
        _justEnded.Clear();
        return ended;
    }

    public void Apply(ISweepEvent e)
    {
        switch (e)
        {
            case SweepExtended x:
                TotalTrials = x.TotalTrials;
                if (IsEnded) (Status, EndedAt, _cancelRequested) = (SweepStatus.Running, null, false);
                break;
            case TrialEnqueued q:
                _enqueued.Enqueue(q.Values);
                break;
            case TrialPlanned p:
                if (p.Enqueued) _enqueued.TryDequeue(out _);
                _live[p.Index] = new TrialRecord(p.Index, p.Seed, p.Params);
                _planned = Math.Max(_planned, p.Index + 1);
                _waiting.AddLast(p.Index);
                break;
            case TrialStarted s:
                var started = _live[s.Index];
                _waiting.Remove(s.Index);
                _heldUntil.Remove(s.Index);
                started.Status = TrialStatus.Running;
                _running[s.Index] = started;
                (started.Attempt, started.Worker, started.Node, started.Device, started.Gpus, started.StartedAt, started.InEpoch) = (s.Attempt, s.Worker, s.Node, s.Device, s.Gpus, s.At, null);
                _curves.TryAdd(s.Index, []); // a retried attempt that resumes from a checkpoint goes on from the epochs already reported
                Status = SweepStatus.Running;
                break;
            case TrialProgressed p:
                // An attempt that starts over (no checkpoint) reports epoch 1 again: what the lost attempt reported from there is replaced.
                var progressed = _live[p.Index];
                var kept = progressed.Epochs.FindIndex(e => e.Epoch >= p.Point.Epoch);
                if (kept >= 0)
                {
                    progressed.Epochs.RemoveRange(kept, progressed.Epochs.Count - kept);
                    _curves[p.Index].RemoveRange(kept, _curves[p.Index].Count - kept);
                }
                progressed.Epochs.Add(p.Point);
                var curve = _curves[p.Index];
                curve.Add(p.Point.Value);
                Reached(p.Index, curve.Count, curve);
                break;
            case TrialPruned p:
                var pruned = _live[p.Index];
                (pruned.Status, pruned.Reason) = (TrialStatus.Pruned, $"pruned after epoch {p.Epoch} ({Spec.Metric.Name} {p.Value:0.####})");
                pruned.DurationSeconds = pruned.SecondsSinceStart(p.At);
                pruned.Metrics = ImmutableDictionary<string, double>.Empty.Add(Spec.Metric.Name, p.Value);
                Ended(p.Index, p.At);
                break;
            case TrialCompleted c:
                var completed = _live[c.Index];
                var reported = Reported(c.Metrics, completed.Epochs);
                (completed.Status, completed.Metrics, completed.DurationSeconds, completed.ArtifactDirectory, completed.Reason) =
                    (TrialStatus.Completed, reported, c.DurationSeconds, c.ArtifactDirectory, c.Suspect);
                Ended(c.Index, c.At);
                break;
            case TrialFailed f:
                var failed = _live[f.Index];
                (failed.Status, failed.Reason, failed.DurationSeconds) = (TrialStatus.Failed, f.Reason, f.DurationSeconds);
                Ended(f.Index, f.At);
                break;
            case TrialRequeued r:
                var requeued = _live[r.Index];
                (requeued.Status, requeued.Reason, requeued.Worker, requeued.DivergedAtEpoch) = (TrialStatus.Pending, r.Reason, null, r.DivergedAtEpoch);
                requeued.FailedAttempts.Add($"attempt {r.Attempt}: {r.Reason}");
                _running.Remove(r.Index);
                _waiting.AddFirst(r.Index);
                break;
            case TrialReleased r:
                var released = _live[r.Index];
                (released.Status, released.Reason, released.Worker) = (TrialStatus.Pending, r.Reason, null);
                _running.Remove(r.Index);
                _waiting.AddFirst(r.Index);
                break;
            case TrialCancelled c:
                _live[c.Index].Status = TrialStatus.Cancelled;
                _waiting.Remove(c.Index);
                _heldUntil.Remove(c.Index);
                Ended(c.Index, c.At);
                break;
            case SweepCancelled c:
                (_cancelRequested, StoppedBecause) = (true, c.Reason);
                foreach (var index in _waiting)
                {
                    _live[index].Status = TrialStatus.Cancelled;
                    HandOver(_live[index]);
                }
                _waiting.Clear();
                _heldUntil.Clear();
                EndIfDone(c.At);
                break;
        }
    }

    /// <summary>
    /// The metrics a completed trial is judged by: as the trainer reported them at the end, or with <c>report: best</c> the
    /// metric's best epoch value (the earliest of equals) and that epoch as <c>best_epoch</c>.
    /// </summary>
    private ImmutableDictionary<string, double> Reported(ImmutableDictionary<string, double> metrics, List<EpochPoint> epochs)
    {
        if (Spec.Metric.Report != MetricReport.Best || epochs.Count == 0) return metrics;
        var best = epochs.Aggregate((a, b) => Spec.Metric.Direction.IsBetter(b.Value, than: a.Value) ? b : a);
        return metrics.SetItem(Spec.Metric.Name, best.Value).SetItem("best_epoch", best.Epoch);
    }

    /// <summary>
    /// What <c>sweep list</c> and <c>sweep status</c> show: the same as <see cref="SweepOverview.Of"/> of a <see cref="Snapshot"/>,
    /// without copying every trial; given the time, with when it should end.
    /// </summary>
    public SweepOverview Overview(DateTimeOffset? now = null)
    {
        var summary = SweepSummary.Of(Enumerable.Range(0, _planned).Select(i => (StatusOf(i), i < _values.Length ? _values[i] : null)), Spec.Metric);
        var done = summary.Completed + summary.Failed + summary.Pruned + summary.Cancelled;
        var header = new SweepHeader(Id, Submitted.Name, Status, Spec.Metric, TotalTrials, done, _running.Count, PendingCount,
            HasTrialToStart ? PendingReason : null, Submitted.At, EndedAt, Submitted.RunDirectory, summary)
        {
            Confirms = Submitted.Confirms?.Summary(),
            WarmStart = Submitted.WarmStart?.Summary(),
            StoppedBecause = StoppedBecause,
            EstimatedEnd = now is { } at && Status == SweepStatus.Running
                ? SweepEstimate.End(at, ExpectedTrialSeconds, PendingCount, [.. _running.Values.Select(t => t.StartedAt)]) : null,
        };
        return new SweepOverview(header, _best);
    }

    /// <summary>
    /// The first <see cref="FinishedSweep.TroubledKept"/> trials by index that failed or had to be retried (what <c>sweep status</c>
    /// points out), and how many there are.
    /// </summary>
    public (ImmutableArray<TrialSnapshot> First, int Count) Troubled()
    {
        var live = _live.Values.Where(t => t.Status == TrialStatus.Failed || t.FailedAttempts.Count > 0).ToList();
        return ([.. live.Select(t => t.Snapshot()).Concat(_troubledEnded.Values).OrderBy(t => t.Index).Take(FinishedSweep.TroubledKept)], live.Count + _troubledEndedCount);
    }

    private static bool IsTroubled(TrialSnapshot trial) => trial.Status == TrialStatus.Failed || trial.FailedAttempts.Length > 0;

    /// <summary>The whole sweep, given its ended trials (read back from the archive).</summary>
    public SweepSnapshot Snapshot(IEnumerable<TrialSnapshot> ended) => new(
        Id,
        Submitted.Name,
        Status,
        Spec.Metric,
        TotalTrials,
        PendingCount,
        [.. ended.Concat(LiveTrials).OrderBy(t => t.Index)],
        HasTrialToStart ? PendingReason : null,
        Submitted.At,
        EndedAt,
        Submitted.RunDirectory)
    {
        Confirms = Submitted.Confirms?.Summary(),
        WarmStart = Submitted.WarmStart?.Summary(),
        StoppedBecause = StoppedBecause,
    };

    private void ConsiderBest(double value)
    {
        if (BestValue is not { } best || Spec.Metric.Direction.IsBetter(value, than: best)) BestValue = value;
    }

    /// <summary>An ended trial leaves memory, handed over by <see cref="TakeEnded"/>.</summary>
    private void HandOver(TrialRecord trial)
    {
        var stored = trial.Stored();
        _justEnded.Add(stored);
        _live.Remove(trial.Index);
        _curves.Remove(trial.Index);
        KeepFigures(stored);
    }

    /// <summary>What is kept in memory of an ended trial: its status and value for the summary, the best, the troubled, and what the sampler and pruner see of it.</summary>
    private void KeepFigures(TrialSnapshot trial)
    {
        if (trial.Index >= _endedStatuses.Length) Array.Resize(ref _endedStatuses, Math.Max(trial.Index + 1, 2 * _endedStatuses.Length));
        if (_endedStatuses[trial.Index] == 0) _endedTrials++;
        _endedStatuses[trial.Index] = (byte)(trial.Status + 1);
        CountForStopping(trial);
        var value = trial.Status != TrialStatus.Failed && trial.Metrics.TryGetValue(Spec.Metric.Name, out var v) ? v : (double?)null;
        if (trial.Index >= _values.Length) Array.Resize(ref _values, Math.Max(trial.Index + 1, 2 * _values.Length));
        _values[trial.Index] = value;
        if (trial.Status != TrialStatus.Cancelled) _history.Add(new FinishedTrial(trial.Index, trial.Params, value));
        if (trial.Status == TrialStatus.Completed && value is { } result)
        {
            ConsiderBest(result);
            if (result == BestValue && (_best is null || _best.Metrics[Spec.Metric.Name] != result || trial.Index < _best.Index)) _best = trial;
            if (trial.DurationSeconds is { } seconds) CountCompleted(seconds);
        }
        if (IsTroubled(trial))
        {
            _troubledEndedCount++;
            _troubledEnded[trial.Index] = trial;
            if (_troubledEnded.Count > FinishedSweep.TroubledKept) _troubledEnded.RemoveAt(FinishedSweep.TroubledKept);
        }
    }

    private void CountCompleted(double seconds) => (_completedSeconds, _completedCount) = (_completedSeconds + seconds, _completedCount + 1);

    private void Ended(int index, DateTimeOffset at)
    {
        _running.Remove(index);
        HandOver(_live[index]);
        EndIfDone(at);
    }

    private void EndIfDone(DateTimeOffset at)
    {
        if (IsEnded || _running.Count > 0 || _waiting.Count > 0) return;
        if (_cancelRequested) (Status, EndedAt) = (SweepStatus.Cancelled, at);
        else if (_planned == TotalTrials) (Status, EndedAt) = (SweepStatus.Completed, at);
    }
}

/// <summary>One trial's record inside <see cref="SweepState"/>.</summary>
public sealed class TrialRecord(int index, long seed, ParamValue.Map parameters)
{
    public int Index { get; } = index;
    public long Seed { get; } = seed;
    public ParamValue.Map Params { get; } = parameters;
    public TrialStatus Status { get; set; } = TrialStatus.Pending;
    public int Attempt { get; set; }
    public string? Worker { get; set; }
    public string? Node { get; set; }
    public string? Device { get; set; }
    public ImmutableArray<int> Gpus { get; set; } = [];
    public int? DivergedAtEpoch { get; set; }
    public List<string> FailedAttempts { get; } = [];
    public DateTimeOffset? StartedAt { get; set; }
    public double? DurationSeconds { get; set; }
    public string? Reason { get; set; }
    public string? ArtifactDirectory { get; set; }
    public ImmutableDictionary<string, double> Metrics { get; set; } = ImmutableDictionary<string, double>.Empty;
    public List<EpochPoint> Epochs { get; } = [];
    public EpochProgress? InEpoch { get; set; }

    public double? SecondsSinceStart(DateTimeOffset now) => StartedAt is { } started ? (now - started).TotalSeconds : null;

    public TrialSnapshot Snapshot() =>
        new(Index, Status, Attempt, Seed, Params, Metrics, [.. Epochs], Node, Device, StartedAt, DurationSeconds, Reason, ArtifactDirectory, [.. FailedAttempts])
        {
            InEpoch = Status == TrialStatus.Running && InEpoch is { } p && p.Epoch > (Epochs.Count > 0 ? Epochs[^1].Epoch : 0) ? p : null,
        };

    /// <summary>The trial as it is stored (the archive, a journal snapshot): without how far its running epoch has got, which is not journalled.</summary>
    public TrialSnapshot Stored() => Snapshot() with { InEpoch = null };
}
