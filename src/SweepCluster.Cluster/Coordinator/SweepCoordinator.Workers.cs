using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using SweepCluster.Cluster.Telemetry;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Results;
using SweepCluster.Core.Scheduling;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Cluster.Coordinator;

// The worker protocol: offers, progress and ends of attempts, lost workers, and placing trials on free slots.
public sealed partial class SweepCoordinator
{
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
        foreach (var sweep in _sweeps.Values.Select(s => s.State).Where(s => !s.IsEnded))
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

    private void InEpoch(ReportEpochProgress report)
    {
        var id = new AttemptId(report.SweepId, report.Index, report.Attempt);
        if (Current(id) is not { } sweep) return;
        _tracker.Alive(id, _options.Now);
        sweep.NoteInEpoch(report.Index, report.Attempt, report.Progress);
        Changed(sweep.Id);
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
                ? new TrialCompleted(sweep.Id, report.Index, report.Attempt, report.Metrics, report.DurationSeconds, report.ArtifactDirectory, now, report.Reason)
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
        var sweep = _sweeps[id.SweepId].State;
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
        if (decision is TrialFailed && sweep.FailingAlike is { } why)
        {
            _log.Warning("sweep {0} stops: {1}", sweep.Id, why);
            Stop(sweep, why);
        }
        if (decision is TrialRequeued && backOff)
            sweep.HoldBack(id.Index, _options.Now + TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Max(0, sweep.Trial(id.Index).FailedAttempts.Count - 1)))));
    }

    private void WorkerLost(IActorRef actor)
    {
        var worker = WorkerKey(actor);
        if (!_workers.Remove(worker)) return;
        var node = _pool.NodeOf(worker);
        _log.Warning("worker {0} lost: it left the cluster", node);
        _pool.Remove(worker);
        foreach (var sweep in _sweeps.Values.Select(s => s.State).Where(s => !s.IsEnded))
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
        foreach (var id in _tracker.Stalled(now, sweepId => _sweeps[sweepId].State.Spec.StallTimeout))
        {
            var sweep = _sweeps[id.SweepId].State;
            var worker = sweep.Trial(id.Index).Worker;
            FailAttempt(id, $"stalled: no epoch and no trained batch for {sweep.Spec.StallTimeout.TotalSeconds:0} s (stall_timeout)", retryable: true, null,
                sweep.Trial(id.Index).SecondsSinceStart(now) ?? 0,
                () => TellWorker(worker, new CancelTrial(id.SweepId, id.Index, id.Attempt)));
            changed = true;
        }
        if (changed || _sweeps.Values.Any(s => s.State.HoldsTrialsBack)) Schedule(); // a held-back trial's time may have come
    }

    private void TellWorker(string? worker, object message)
    {
        if (worker is not null && _workers.TryGetValue(worker, out var actor)) actor.Tell(message);
    }

    /// <summary>
    /// Starts every trial that has a place. Free slots are offered to the sweeps with trials to start in turn, one trial each,
    /// beginning after the sweep served last, so that a sweep of short trials does not take every slot another sweep waits for;
    /// a sweep whose sampler is still choosing (TPE, GP: <see cref="SweepState.SuggestsFromResults"/>) declines, and asks it off
    /// this thread. The rest wait with the reason.
    /// </summary>
    private void Schedule()
    {
        var now = _options.Now;
        var turn = _order.IndexOf(_servedLast ?? "") + 1;
        var wanting = _order.Skip(turn).Concat(_order.Take(turn)).Select(id => _sweeps[id].State).Where(s => s.HasTrialToStartAt(now)).ToList();
        while (wanting.Count > 0) wanting.RemoveAll(sweep => !StartOne(sweep, now));
        _gaugesStale = true;
    }

    /// <summary>Starts one trial of the sweep if a slot has room for it; false when none was started or it has no more to start now.</summary>
    private bool StartOne(SweepState sweep, DateTimeOffset now)
    {
        var placement = _pool.TryPlace(sweep.Resources, out var reason, now, sweep.ExpectedTrialSeconds);
        sweep.PendingReason = placement is null ? reason : null;
        if (placement is null) return false;
        if (sweep.DueWaiting(now) is null && sweep.SuggestsFromResults)
        {
            AskSampler(sweep);
            return false;
        }
        var (index, planned) = sweep.NextToStart(now);
        if (planned is not null) Record(planned);
        var trial = sweep.Trial(index);
        var id = new AttemptId(sweep.Id, index, trial.Attempt + 1);
        _pool.Hold(id.ToString(), placement);
        _tracker.Started(id, placement.Worker, now);
        _servedLast = sweep.Id;
        SweepTelemetry.TrialsStarted.Add(1, SweepTags(sweep));
        var start = new StartTrial(sweep.Id, index, id.Attempt, sweep.Spec.Trainer, trial.Params, trial.Seed, placement.Device,
            sweep.Submitted.Epochs, sweep.Spec.TimeoutPerTrial?.TotalSeconds, RunFolders.Trial(sweep.Submitted.RunDirectory, index),
            _sweepSpans.GetValueOrDefault(sweep.Id)?.Id, CommandOf(sweep.Spec, sweep.Submitted.CodePackage) is { } command ? command with { Gpus = placement.Gpus } : null);
        Record(new TrialStarted(sweep.Id, index, id.Attempt, placement.Worker, _pool.NodeOf(placement.Worker), placement.Device, placement.Gpus, now),
            () => TellWorker(placement.Worker, start));
        return sweep.HasTrialToStartAt(now);
    }

    /// <summary>
    /// Has the sweep's sampler choose its next trial's values on a <see cref="SamplerThreads"/> thread (a GP's choice past 200 trials
    /// takes a second or two, which no other sweep waits for); the answer comes back as <see cref="SuggestionMade"/>. One question
    /// per sweep at a time.
    /// </summary>
    private void AskSampler(SweepState sweep)
    {
        sweep.PendingReason = "its sampler is choosing the next trial's values";
        if (sweep.PlannedCount >= sweep.TotalTrials || !_suggesting.Add(sweep.Id)) return;
        var (id, index, suggest) = (sweep.Id, sweep.PlannedCount, sweep.NextSuggestion());
        _samplerThreads.Run(suggest).PipeTo(Self, success: values => new SuggestionMade(id, index, values, null),
            failure: error => new SuggestionMade(id, index, null, ((error as AggregateException)?.InnerException ?? error).Message));
    }

    /// <summary>The sampler's answer: planned (the trial then waits for a slot like any other) while the sweep still wants that trial.</summary>
    private void Suggested(SuggestionMade made)
    {
        _suggesting.Remove(made.SweepId);
        if (_sweeps.GetValueOrDefault(made.SweepId)?.State is not { } sweep || !sweep.HasTrialToStart || sweep.PlannedCount != made.Index) return;
        if (made.Values is null)
        {
            _log.Error("sweep {0} stops: its sampler failed to choose trial {1}'s values: {2}", sweep.Id, made.Index, made.Error);
            Stop(sweep, $"its sampler failed: {made.Error}");
            return;
        }
        Record(sweep.Plan(made.Values));
        Schedule();
    }

    /// <summary>A sampler's answer to <see cref="AskSampler"/>: the values, or why there are none. Sent by the coordinator to itself.</summary>
    internal sealed record SuggestionMade(string SweepId, int Index, ParamValue.Map? Values, string? Error) : INoSerializationVerificationNeeded;
}
