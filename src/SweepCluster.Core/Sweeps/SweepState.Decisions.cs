using System.Collections.Immutable;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Results;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sweeps;

// The decisions: what a failed attempt becomes, which trial starts next and with what parameters, an enqueued configuration, an extension,
// and when a sweep stops itself.
public sealed partial class SweepState
{
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
        if (DueWaiting(now) is { } waiting) return (waiting, null);
        return (_planned, Plan(Submitted.Confirms is null ? NextSuggestion()() : null));
    }

    /// <summary>The first waiting trial not held back at <paramref name="now"/>, if any.</summary>
    public int? DueWaiting(DateTimeOffset now)
    {
        for (var waiting = _waiting.First; waiting is not null; waiting = waiting.Next)
            if (Due(waiting.Value, now)) return waiting.Value;
        return null;
    }

    /// <summary>
    /// True when the sampler's next suggestion depends on the results so far (TPE, GP) and may take long: the coordinator asks
    /// <see cref="NextSuggestion"/> off its own thread, so that other sweeps' trials start meanwhile.
    /// </summary>
    public bool SuggestsFromResults => Submitted.Confirms is null && !_sampler.PlansAhead;

    /// <summary>
    /// Asking the sampler for trial <see cref="PlannedCount"/>'s values, with what it is shown gathered now: the call may run on
    /// another thread while this state changes (one call at a time per sweep; the sampler is asked by nothing else meanwhile).
    /// Its answer is given to <see cref="Plan"/> while the next trial to plan is still that one.
    /// </summary>
    public Func<ParamValue.Map> NextSuggestion()
    {
        // A sampler that plans ahead (random, grid) reads no results: it is asked in place, and gathering them would cost every trial.
        var request = _sampler.PlansAhead
            ? SuggestRequest.Ahead(_planned) with { Reused = _warmCount }
            : new SuggestRequest(_planned, [.. _history.Shown()], [.. _running.Values.Select(t => t.Params)]) { Reused = _warmCount };
        var sampler = _sampler;
        return () => sampler.Suggest(request);
    }

    /// <summary>
    /// Trial <see cref="PlannedCount"/> planned: a confirmation's configuration, or else the sampler's <paramref name="suggestion"/>
    /// with the values of the first enqueued configuration in place of its own; the fixed params and an <c>--epochs</c> override added.
    /// </summary>
    public TrialPlanned Plan(ParamValue.Map? suggestion)
    {
        var index = _planned;
        var parameters = Submitted.Confirms is { } plan
            ? plan.Configurations[plan.ConfigurationOf(index)].Params
            : TrialPlanner.WithFixedParams(Spec, WithEnqueued(index, suggestion ?? throw new ArgumentNullException(nameof(suggestion))));
        if (Submitted.Epochs is { } epochs && parameters["epochs"] is not null)
            parameters = new ParamValue.Map([.. parameters.Entries.Select(e => e.Key == "epochs" ? KeyValuePair.Create(e.Key, (ParamValue)new ParamValue.Int(epochs)) : e)]);
        return new TrialPlanned(Id, index, TrialPlanner.TrialSeed(Submitted.Seed, index), parameters, Enqueued: Submitted.Confirms is null && _enqueued.Count > 0);
    }

    private ParamValue.Map WithEnqueued(int index, ParamValue.Map suggestion)
    {
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

    /// <summary>The first trials that all failing alike stops a sweep: a configuration error every trial shares, not bad luck.</summary>
    public const int AlikeFailuresToStop = 3;

    private int _endedCount;
    private int _alikeFailures;
    private string? _firstFailure;

    /// <summary>
    /// Why the sweep should stop, when its first trials (at least <see cref="AlikeFailuresToStop"/>, and every trial ended so
    /// far) all failed on their first attempt with one reason: a trainer that cannot run, a parameter every trial lacks. The
    /// rest would fail the same way.
    /// </summary>
    public string? FailingAlike => !IsEnded && !_cancelRequested && _alikeFailures >= AlikeFailuresToStop && _alikeFailures == _endedCount
        ? $"its first {_alikeFailures} trials all failed the same way, so the others would too: {_firstFailure}"
        : null;

    private void CountForStopping(TrialSnapshot trial)
    {
        if (trial.Status == TrialStatus.Cancelled) return;
        _endedCount++;
        if (trial.Status != TrialStatus.Failed || !trial.FailedAttempts.IsEmpty) return;
        _firstFailure ??= trial.Reason;
        if (trial.Reason == _firstFailure) _alikeFailures++;
    }
}
