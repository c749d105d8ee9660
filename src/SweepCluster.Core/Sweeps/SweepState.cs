using System.Collections.Immutable;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Pruning;
using SweepCluster.Core.Results;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sweeps;

/// <summary>
/// One sweep's trials and what they are doing, changed only by <see cref="Apply"/>-ing events, so that it can be
/// rebuilt from a journal. It decides what comes next (which trial waits, what the sampler suggests); the
/// coordinator actor turns those decisions into events, places trials and talks to workers.
/// </summary>
/// <remarks>
/// A trial that ends leaves memory for the sweep's <see cref="TrialArchive"/>: what is held per ended trial is its status,
/// its place in the archive and its metric value, plus bounded samples for the sampler (<see cref="FinishedHistory"/>) and
/// the pruner; the summary, best and troubled trials are kept up as trials end.
/// </remarks>
public sealed class SweepState : IDisposable
{
    // Kept incrementally, so that each event and each scheduling decision costs the same however large the sweep.
    /// <summary>Trials planned and not ended: waiting to start or running.</summary>
    private readonly SortedDictionary<int, TrialRecord> _live = [];
    private TrialArchive _archive;
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

    /// <param name="archive">Where its ended trials go (in memory when not given).</param>
    public SweepState(SweepSubmitted submitted, ExperimentSpec spec, TrialArchive? archive = null)
    {
        Submitted = submitted;
        Spec = spec;
        TotalTrials = submitted.TotalTrials;
        _archive = archive ?? TrialArchive.InMemory();
        _history = new FinishedHistory(spec.Metric.Direction);
        // Indexed -1, -2, ...
        foreach (var (warm, k) in (submitted.WarmStart?.Used ?? []).Select((w, k) => (w, k))) _history.Add(new FinishedTrial(-1 - k, warm.Params, warm.Value));
        _warmCount = submitted.WarmStart?.Used.Length ?? 0;
        _sampler = TrialPlanner.CreateSampler(spec, submitted.Seed);
        var epochs = submitted.Epochs ?? (spec.Params["epochs"] is ParamValue.Int e ? (int)e.Value : 1);
        // A confirmation runs every configuration to the end: its point is the final values.
        _pruner = submitted.Confirms is null ? Pruners.Create(spec.Pruner, spec.Metric.Direction, epochs) : null;
    }

    /// <summary>
    /// True when the pruner stops the trial after the epoch it just reported. Never at a trial's last epoch
    /// (the <c>epochs</c> or <c>steps</c> it runs), where stopping would save nothing.
    /// </summary>
    public bool ShouldPrune(int index)
    {
        if (_pruner is null || !_running.TryGetValue(index, out var trial) || !_curves.TryGetValue(index, out var curve) || curve.Count == 0) return false;
        var final = Submitted.Epochs ?? (trial.Params["epochs"] ?? trial.Params["steps"]) switch
        {
            ParamValue.Int n => (int?)n.Value,
            // The built-ins report once, or once a step (default 1); networks and programs as many epochs as they run.
            _ => Spec.RunsCommands || KnownTrainers.NeedsData(Spec.Trainer) ? null : 1,
        };
        return curve.Count != final && _pruner.ShouldPrune(index, curve.Count, ComparedCurves(index, curve.Count));
    }

    /// <summary>Most other trials a pruner compares a trial with at an epoch, as TPE models at most <see cref="TpeSampler.MaxModelled"/>.</summary>
    public const int MaxComparedByPruner = 1_000;

    /// <summary>
    /// The trial's curve and those of the trials that reached <paramref name="epoch"/>: all of them up to
    /// <see cref="MaxComparedByPruner"/>, past that an even sample of them in the order they got there. Handing the pruner every
    /// curve made each epoch report cost time in proportion to the sweep's trials (a 20,000-trial sweep ran ten times as
    /// long as one of 5,000).
    /// </summary>
    private Dictionary<int, List<double>> ComparedCurves(int index, int epoch)
    {
        var reached = _reached[epoch - 1].Items;
        var step = Math.Max(1.0, reached.Count / (double)MaxComparedByPruner);
        var compared = new Dictionary<int, List<double>> { [index] = _curves[index] };
        for (var place = 0.0; place < reached.Count; place += step)
            compared.TryAdd(reached[(int)place].Index, reached[(int)place].Curve);
        return compared;
    }

    private void AddCurve(int index, List<double> curve)
    {
        for (var epoch = 1; epoch <= curve.Count; epoch++) Reached(index, epoch, curve);
    }

    /// <summary>
    /// Records that the trial reported the epoch; an attempt that starts over reports it again, and a pruner skips the repeat as it
    /// skips any trial already there. Past <see cref="MaxComparedByPruner"/> trials an epoch keeps an even sample of them.
    /// </summary>
    private void Reached(int index, int epoch, List<double> curve)
    {
        while (_reached.Count < epoch) _reached.Add(new EvenSample<(int, List<double>)>(MaxComparedByPruner));
        _reached[epoch - 1].Add((index, curve));
    }

    public SweepSubmitted Submitted { get; }

    public ExperimentSpec Spec { get; }

    public string Id => Submitted.SweepId;

    /// <summary>The trials the sweep runs: those submitted, and those added since (<see cref="SweepExtended"/>).</summary>
    public int TotalTrials { get; private set; }

    public SweepStatus Status { get; private set; } = SweepStatus.Pending;

    public DateTimeOffset? EndedAt { get; private set; }

    /// <summary>Why trials wait for a place, when they do; set by the coordinator's scheduling.</summary>
    public string? PendingReason { get; set; }

    /// <summary>What a trial asks of a worker; a GPU request becomes a CPU one on machines without GPUs.</summary>
    public ResourceRequest Resources => Submitted.RunGpuTrialsOnCpu ? Spec.Resources with { Gpu = 0 } : Spec.Resources;

    public bool IsEnded => Status is SweepStatus.Completed or SweepStatus.Cancelled;

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

    /// <summary>The trials a journal snapshot of the sweep copies: those not ended, and the ended ones too when its archive is in memory.</summary>
    public int HeldInSnapshot => _live.Count + (_archive.KeptInMemory ? _archive.Count : 0);

    /// <summary>Trials not yet started (what <see cref="Snapshot"/> reports as pending), without building a snapshot.</summary>
    public int PendingCount => _cancelRequested || IsEnded ? 0 : TotalTrials - _archive.Count - _running.Count;

    /// <summary>The best metric value of the completed trials so far, in the metric's direction.</summary>
    public double? BestValue { get; private set; }

    /// <summary>How long a trial takes, judged by the mean of the completed ones; null before one has completed.</summary>
    public double? ExpectedTrialSeconds => _completedCount == 0 ? null : _completedSeconds / _completedCount;

    /// <summary>True when the attempt is the one now running for that trial (a stale attempt's report is not).</summary>
    public bool IsRunning(int index, int attempt) => _running.TryGetValue(index, out var trial) && trial.Attempt == attempt;

    /// <summary>A trial waiting to start or running.</summary>
    public TrialRecord Trial(int index) => _live[index];

    /// <summary>The trial, once it has been planned.</summary>
    /// <exception cref="IOException">It has ended and its archive cannot be read; the message names the file.</exception>
    public TrialSnapshot? FindTrial(int index) =>
        _live.TryGetValue(index, out var live) ? live.Snapshot() : _archive.StatusOf(index) is null ? null : _archive.Read(index).ToSnapshot();

    /// <summary>
    /// The planned trials in index order (those in <paramref name="state"/> only, when given), after the first <paramref name="skip"/>
    /// of them; ended ones are read from the archive as the enumeration reaches them.
    /// </summary>
    /// <exception cref="IOException">An ended trial's archive cannot be read; the message names the file.</exception>
    public IEnumerable<TrialSnapshot> TrialsByIndex(TrialStatus? state = null, int skip = 0)
    {
        for (var index = 0; index < _planned; index++)
        {
            if (state is { } wanted && StatusOf(index) != wanted) continue;
            if (skip-- > 0) continue;
            yield return FindTrial(index)!;
        }
    }

    /// <summary>How many planned trials are in <paramref name="state"/> (all of them when not given).</summary>
    public int CountTrials(TrialStatus? state = null) => state is { } wanted ? Enumerable.Range(0, _planned).Count(i => StatusOf(i) == wanted) : _planned;

    private TrialStatus StatusOf(int index) => _live.TryGetValue(index, out var live) ? live.Status : _archive.StatusOf(index) ?? TrialStatus.Pending;

    /// <summary>
    /// What a failed attempt leads to: <see cref="TrialRequeued"/> to try again when the failure may not repeat and the trial
    /// has retries left (<c>max_failures</c>), else <see cref="TrialFailed"/>. An invalid configuration is never retried, nor a
    /// loss that became NaN at the same epoch as in the attempt before. In a sweep being cancelled, the trial is cancelled.
    /// </summary>
    public ISweepEvent DecideFailure(int index, int attempt, string reason, bool retryable, int? divergedAtEpoch, double durationSeconds, DateTimeOffset at)
    {
        var trial = _live[index];
        var failures = trial.FailedAttempts.Count + 1;
        if (_cancelRequested) return new TrialCancelled(Id, index, at); // the sweep is being cancelled: nothing is retried
        if (!retryable) return new TrialFailed(Id, index, attempt, reason, durationSeconds, at);
        if (divergedAtEpoch is { } epoch && trial.DivergedAtEpoch == epoch)
            return new TrialFailed(Id, index, attempt, $"{reason} (again at epoch {epoch}: deterministic, not retried)", durationSeconds, at);
        if (failures > Spec.MaxFailures)
            return new TrialFailed(Id, index, attempt, $"{reason} (failed {failures} times; max_failures is {Spec.MaxFailures})", durationSeconds, at);
        return new TrialRequeued(Id, index, attempt, reason, divergedAtEpoch);
    }

    /// <summary>What an attempt its worker gave back leads to: <see cref="TrialReleased"/>, or in a sweep being cancelled <see cref="TrialCancelled"/>.</summary>
    public ISweepEvent DecideRelease(int index, int attempt, string reason, DateTimeOffset at) =>
        _cancelRequested ? new TrialCancelled(Id, index, at) : new TrialReleased(Id, index, attempt, reason);

    /// <summary>
    /// The next trial to start: one that waits to start again if any, else the sampler's next suggestion, asked now
    /// (so adaptive samplers see every result so far). A new suggestion comes as a <see cref="TrialPlanned"/> to apply.
    /// </summary>
    public (int Index, TrialPlanned? Planned) NextToStart() => NextToStart(DateTimeOffset.MaxValue);

    /// <summary>As <see cref="NextToStart()"/>, passing over the waiting trials held back at <paramref name="now"/>.</summary>
    public (int Index, TrialPlanned? Planned) NextToStart(DateTimeOffset now)
    {
        for (var waiting = _waiting.First; waiting is not null; waiting = waiting.Next)
            if (Due(waiting.Value, now)) return (waiting.Value, null);
        var index = _planned;
        var parameters = Submitted.Confirms is { } plan
            ? plan.Configurations[plan.ConfigurationOf(index)].Params
            : TrialPlanner.WithFixedParams(Spec, Suggest(index));
        if (Submitted.Epochs is { } epochs && parameters["epochs"] is not null)
            parameters = new ParamValue.Map([.. parameters.Entries.Select(e => e.Key == "epochs" ? KeyValuePair.Create(e.Key, (ParamValue)new ParamValue.Int(epochs)) : e)]);
        return (index, new TrialPlanned(Id, index, TrialPlanner.TrialSeed(Submitted.Seed, index), parameters, Enqueued: Submitted.Confirms is null && _enqueued.Count > 0));
    }

    /// <summary>The sampler's suggestion, with the values of the first enqueued configuration in place of its own.</summary>
    private ParamValue.Map Suggest(int index)
    {
        var suggestion = _sampler.Suggest(new SuggestRequest(index, _history.Shown(), _running.Values.Select(t => t.Params).ToList()) { Reused = _warmCount });
        if (!_enqueued.TryPeek(out var given)) return suggestion;
        // A branch the suggestion did not take has no values in it: those are drawn at random.
        return Spec.ParamSpace.Materialize(d => given.TryGetValue(d.Path, out var value) ? value
            : Spec.ParamSpace.ValueOf(suggestion, d) ?? RandomValue(d, SplitMix64.For(Submitted.Seed, index, d.Path)));
    }

    private static ParamValue RandomValue(DimensionNode dimension, SplitMix64 rng) => dimension.Distribution is Grid grid
        ? grid.ValueAt(rng.NextInt64Inclusive(0, grid.Values.Length - 1))
        : dimension.Distribution.Sample(rng);

    /// <summary>Configurations enqueued and not yet planned.</summary>
    public int EnqueuedCount => _enqueued.Count;

    /// <summary>
    /// A configuration to run next, as the user wrote it (<c>lr=0.002</c>): a <see cref="TrialEnqueued"/>, or the errors that
    /// refuse it, each naming the dimension and what it takes.
    /// </summary>
    public (TrialEnqueued? Enqueued, ImmutableArray<string> Errors) DecideEnqueue(IReadOnlyDictionary<string, string> values)
    {
        if (IsEnded || _cancelRequested) return (null, [$"sweep {Id} has ended: nothing more runs in it"]);
        if (Submitted.Confirms is not null) return (null, [$"sweep {Id} is a confirmation: it runs its plan only"]);
        if (_planned + _enqueued.Count >= TotalTrials)
            return (null, [$"every one of sweep {Id}'s {TotalTrials} trials is planned or enqueued already: sweep extend adds more"]);
        if (values.Count == 0) return (null, ["give at least one value: --set DIMENSION=VALUE"]);
        var byPath = Spec.ParamSpace.Dimensions.ToLookup(d => d.Path);
        var errors = new List<string>();
        var accepted = ImmutableDictionary.CreateBuilder<string, ParamValue>();
        foreach (var (path, text) in values)
        {
            var candidates = byPath[path].ToList();
            if (candidates.Count == 0)
            {
                var paths = byPath.Select(g => g.Key).ToList();
                errors.Add(Spec.Params[path] is { } fixedValue
                    ? $"{path} is fixed in params ({fixedValue}): only param_space dimensions can be set"
                    : $"{path}: no such dimension{KeyHints.DidYouMean(path, paths)} (dimensions: {string.Join(", ", paths)})");
                continue;
            }
            // A dimension of a branch is the one of the branch the given values choose.
            if (candidates.FirstOrDefault(d => d.Condition is null || Chooses(values, d.Condition)) is not { } dimension)
            {
                errors.Add($"{path} is searched only {string.Join(" or ", candidates.Select(d => $"when {d.Condition}"))}: set the branch too, e.g. --set {candidates[0].Condition}");
                continue;
            }
            var value = ScalarResolver.ResolvePlain(text);
            if (DimensionValues.Admits(dimension, value)) accepted[path] = DimensionValues.Admitted(dimension, value);
            else errors.Add($"{path}={text}: not a value of {dimension.Distribution}");
        }
        return errors.Count > 0 ? (null, [.. errors]) : (new TrialEnqueued(Id, accepted.ToImmutable()), []);
    }

    /// <summary>True when the values given for an enqueued trial take the branch (and the branches it lies in).</summary>
    private static bool Chooses(IReadOnlyDictionary<string, string> values, BranchCondition condition) =>
        values.TryGetValue(condition.Selector.Path, out var text) && Equals(ScalarResolver.ResolvePlain(text).ToString(), condition.Label.ToString())
        && (condition.Selector.Condition is null || Chooses(values, condition.Selector.Condition));

    /// <summary>
    /// <paramref name="added"/> more trials (<c>sweep extend</c>): a <see cref="SweepExtended"/>, or why not. A running sweep's total
    /// grows; an ended one runs again, its new trials numbered after those it planned (a cancelled sweep's unplanned trials are not
    /// run: the new ones follow the last planned).
    /// </summary>
    public (SweepExtended? Extended, string? Error) DecideExtend(int added, DateTimeOffset at, SweepSubmitted? adopted = null)
    {
        if (added < 1) return (null, $"--trials adds at least one trial (got {added})");
        if (Submitted.Confirms is not null) return (null, $"sweep {Id} is a confirmation: it runs its plan only; sweep confirm starts another");
        if (_cancelRequested && !IsEnded) return (null, $"sweep {Id} is being cancelled: extend it once it has ended");
        var total = (long)(IsEnded ? _planned : TotalTrials) + added;
        if (total > TrialPlanner.MaxTrials) return (null, $"sweep {Id} would run {total} trials; at most {TrialPlanner.MaxTrials} are allowed");
        return (new SweepExtended(Id, _planned, (int)total, at, adopted), null);
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
                (started.Attempt, started.Worker, started.Node, started.Device, started.Gpus, started.StartedAt) = (s.Attempt, s.Worker, s.Node, s.Device, s.Gpus, s.At);
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
                    (TrialStatus.Completed, reported, c.DurationSeconds, c.ArtifactDirectory, null);
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
                _cancelRequested = true;
                foreach (var index in _waiting)
                {
                    _live[index].Status = TrialStatus.Cancelled;
                    Archive(_live[index]);
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
        var sign = Spec.Metric.Direction == MetricDirection.Maximize ? 1 : -1;
        var best = epochs.Aggregate((a, b) => sign * b.Value > sign * a.Value ? b : a);
        return metrics.SetItem(Spec.Metric.Name, best.Value).SetItem("best_epoch", best.Epoch);
    }

    /// <summary>
    /// What <c>sweep list</c> and <c>sweep status</c> show: the same as <see cref="SweepOverview.Of"/> of a <see cref="Snapshot"/>,
    /// without copying every trial.
    /// </summary>
    public SweepOverview Overview()
    {
        var summary = SweepSummary.Of(Enumerable.Range(0, _planned).Select(i => (StatusOf(i), i < _values.Length ? _values[i] : null)), Spec.Metric);
        var done = summary.Completed + summary.Failed + summary.Pruned + summary.Cancelled;
        var header = new SweepHeader(Id, Submitted.Name, Status, Spec.Metric, TotalTrials, done, _running.Count, PendingCount,
            HasTrialToStart ? PendingReason : null, Submitted.At, EndedAt, Submitted.RunDirectory, summary)
        {
            Confirms = Submitted.Confirms?.Summary(), WarmStart = Submitted.WarmStart?.Summary(),
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

    public SweepSnapshot Snapshot() => new(
        Id,
        Submitted.Name,
        Status,
        Spec.Metric,
        TotalTrials,
        PendingCount,
        [.. _archive.ReadAll().Select(t => t.ToSnapshot()).Concat(_live.Values.Select(t => t.Snapshot())).OrderBy(t => t.Index)],
        HasTrialToStart ? PendingReason : null,
        Submitted.At,
        EndedAt,
        Submitted.RunDirectory) { Confirms = Submitted.Confirms?.Summary(), WarmStart = Submitted.WarmStart?.Summary() };

    private void ConsiderBest(double value)
    {
        if (BestValue is not { } best || (Spec.Metric.Direction == MetricDirection.Maximize ? value > best : value < best)) BestValue = value;
    }

    /// <summary>Moves an ended trial from memory to the archive.</summary>
    private void Archive(TrialRecord trial)
    {
        var stored = trial.Stored();
        _archive.Add(stored);
        _live.Remove(trial.Index);
        _curves.Remove(trial.Index);
        Archived(stored);
    }

    /// <summary>What is kept in memory of a trial in the archive: its value for the summary, the best, the troubled, and what the sampler and pruner see of it.</summary>
    private void Archived(StoredTrial trial)
    {
        var value = trial.Status != TrialStatus.Failed && trial.Metrics.TryGetValue(Spec.Metric.Name, out var v) ? v : (double?)null;
        if (trial.Index >= _values.Length) Array.Resize(ref _values, Math.Max(trial.Index + 1, 2 * _values.Length));
        _values[trial.Index] = value;
        if (trial.Status != TrialStatus.Cancelled) _history.Add(new FinishedTrial(trial.Index, trial.Params, value));
        var snapshot = trial.ToSnapshot();
        if (trial.Status == TrialStatus.Completed && value is { } result)
        {
            ConsiderBest(result);
            if (result == BestValue && (_best is null || _best.Metrics[Spec.Metric.Name] != result || trial.Index < _best.Index)) _best = snapshot;
            if (trial.DurationSeconds is { } seconds) CountCompleted(seconds);
        }
        if (IsTroubled(snapshot))
        {
            _troubledEndedCount++;
            _troubledEnded[trial.Index] = snapshot;
            if (_troubledEnded.Count > FinishedSweep.TroubledKept) _troubledEnded.RemoveAt(FinishedSweep.TroubledKept);
        }
    }

    /// <summary>
    /// Everything <see cref="Apply"/> has built, for a journal snapshot: the trials not ended and where the archive holds the
    /// others (or, with the archive in memory, every trial and the order they finished in, as snapshots before archives held them).
    /// </summary>
    public SweepMemento ToMemento()
    {
        var live = _live.Values.Select(t => new TrialMemento(t.Stored(), t.Worker, t.Gpus, t.DivergedAtEpoch));
        var enqueued = _enqueued.Count > 0 ? [.. _enqueued] : (ImmutableArray<ImmutableDictionary<string, ParamValue>>?)null;
        var total = TotalTrials != Submitted.TotalTrials ? TotalTrials : (int?)null;
        if (_archive.Mark() is { } mark)
            return new(Submitted, Status, EndedAt, _cancelRequested, [.. live], [.. _waiting], [], enqueued, total, mark.Length,
                mark.File == TrialArchive.FileName ? null : mark.File);
        var archived = _archive.ReadAll().ToList();
        return new(Submitted, Status, EndedAt, _cancelRequested,
            [.. archived.Select(t => new TrialMemento(t, null, [], null)).Concat(live).OrderBy(m => m.Trial.Index)], [.. _waiting],
            [.. archived.Where(t => t.Status != TrialStatus.Cancelled).Select(t => t.Index)], enqueued, total);
    }

    /// <summary>The sweep as <see cref="ToMemento"/> saw it: the same as replaying every event up to then.</summary>
    /// <param name="newArchive">Where the ended trials of a snapshot that holds them itself go (in memory when not given).</param>
    /// <exception cref="IOException">The snapshot's archive is missing, shorter than it recorded, or unreadable; the message names it.</exception>
    public static SweepState FromMemento(SweepMemento memento, ExperimentSpec spec, Func<TrialArchive>? newArchive = null)
    {
        var sweep = new SweepState(memento.Submitted, spec, memento.ArchivedLength is null ? newArchive?.Invoke() : null);
        if (memento.ArchivedLength is { } length)
            sweep._archive = TrialArchive.Reopen(memento.Submitted.RunDirectory, memento.ArchivedIn ?? TrialArchive.FileName, length, sweep.Restore);
        var ended = new Dictionary<int, StoredTrial>();
        foreach (var m in memento.Trials)
        {
            var t = m.Trial;
            if (t.Status is TrialStatus.Completed or TrialStatus.Failed or TrialStatus.Pruned or TrialStatus.Cancelled)
            {
                ended[t.Index] = t;
                continue;
            }
            var trial = new TrialRecord(t.Index, t.Seed, t.Params)
            {
                Status = t.Status, Attempt = t.Attempt, Worker = m.Worker, Node = t.Node, Device = t.Device, Gpus = m.Gpus, StartedAt = t.StartedAt,
                DurationSeconds = t.DurationSeconds, Reason = t.Reason, ArtifactDirectory = t.ArtifactDirectory, Metrics = t.Metrics, DivergedAtEpoch = m.DivergedAtEpoch,
            };
            trial.Epochs.AddRange(t.Epochs);
            trial.FailedAttempts.AddRange(t.FailedAttempts);
            sweep._live[t.Index] = trial;
            sweep._planned = Math.Max(sweep._planned, t.Index + 1);
            if (t.Attempt > 0) sweep.AddCurve(t.Index, sweep._curves[t.Index] = [.. t.Epochs.Select(e => e.Value)]);
            if (t.Status == TrialStatus.Running) sweep._running[t.Index] = trial;
        }
        // A snapshot that holds its ended trials: the sampler saw them in the order they finished; the cancelled ones follow.
        foreach (var index in memento.Finished.Concat(ended.Keys.Order().Except(memento.Finished))) sweep.ArchiveRestored(ended[index]);
        foreach (var index in memento.Waiting) sweep._waiting.AddLast(index);
        foreach (var values in memento.Enqueued ?? []) sweep._enqueued.Enqueue(values);
        (sweep.Status, sweep.EndedAt, sweep._cancelRequested) = (memento.Status, memento.EndedAt, memento.CancelRequested);
        sweep.TotalTrials = memento.TotalTrials ?? memento.Submitted.TotalTrials;
        return sweep;
    }

    /// <summary>
    /// An ended sweep as its <c>sweep.json</c> recorded it, to be extended: its first <paramref name="planned"/> trials (a later
    /// <c>sweep.json</c> may hold more), each ended, with the curves the pruner ranks against (none from files older than curves).
    /// The sampler sees them in index order (the order they finished in is not recorded).
    /// </summary>
    /// <param name="archive">Where its ended trials go (in memory when not given).</param>
    public static SweepState Resume(SweepSubmitted submitted, ExperimentSpec spec, IEnumerable<TrialDocument> trials, int planned, TrialArchive? archive = null)
    {
        var sweep = new SweepState(submitted, spec, archive);
        var (cancelled, endedAt) = (false, (DateTimeOffset?)null);
        foreach (var t in trials.Where(t => t.Index < planned).OrderBy(t => t.Index))
        {
            var stored = new StoredTrial(t.Index, t.Status, t.Attempt, t.Seed, t.Params, t.Metrics.ToImmutableDictionary(), t.Curve ?? [], t.Node, t.Device,
                t.StartedAt, t.DurationSeconds, t.Reason, t.Artifacts, t.FailedAttempts ?? []);
            sweep.ArchiveRestored(stored);
            cancelled |= t.Status == TrialStatus.Cancelled;
            if (t.StartedAt?.AddSeconds(t.DurationSeconds ?? 0) is { } end && (endedAt is null || end > endedAt)) endedAt = end;
        }
        // Ended, as it was: cancelled when a trial was, ended when its last trial did.
        sweep.TotalTrials = sweep._planned;
        sweep.Status = cancelled ? SweepStatus.Cancelled : SweepStatus.Completed;
        sweep.EndedAt = endedAt ?? submitted.At;
        return sweep;
    }

    /// <summary>An ended trial from an older record (a snapshot that held every trial, a sweep.json) put into the archive and restored.</summary>
    private void ArchiveRestored(StoredTrial trial)
    {
        _archive.Add(trial);
        Restore(trial);
    }

    /// <summary>A trial read back into the archive: kept in memory as one that ended here, with its curve for the pruner.</summary>
    private void Restore(StoredTrial trial)
    {
        _planned = Math.Max(_planned, trial.Index + 1);
        Archived(trial);
        AddCurve(trial.Index, [.. trial.Epochs.Select(e => e.Value)]);
    }

    public void Dispose() => _archive.Dispose();

    private void CountCompleted(double seconds) => (_completedSeconds, _completedCount) = (_completedSeconds + seconds, _completedCount + 1);

    private void Ended(int index, DateTimeOffset at)
    {
        _running.Remove(index);
        Archive(_live[index]);
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

    public double? SecondsSinceStart(DateTimeOffset now) => StartedAt is { } started ? (now - started).TotalSeconds : null;

    public TrialSnapshot Snapshot() =>
        new(Index, Status, Attempt, Seed, Params, Metrics, [.. Epochs], Node, Device, StartedAt, DurationSeconds, Reason, ArtifactDirectory, [.. FailedAttempts]);

    public StoredTrial Stored() => StoredTrial.Of(Snapshot());
}
