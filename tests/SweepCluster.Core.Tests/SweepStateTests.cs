using System.Collections.Immutable;
using SweepCluster.Core.Sweeps;
using SweepCluster.Core.Scheduling;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Tests;

public class SweepStateTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    private static SweepState NewSweep(int trials, string direction = "maximize")
    {
        var yaml = Experiments.Sleep(trials).Replace("direction: maximize", $"direction: {direction}");
        var spec = ExperimentSpecParser.Parse(yaml, "sleep.yml").Spec!;
        return new SweepState(new SweepSubmitted("s1", "sleepy", yaml, "sleep.yml", trials, 7, null, false, "/runs/s1", At), spec);
    }

    private static int Start(SweepState sweep, int attempt = 1)
    {
        var (index, planned) = sweep.NextToStart();
        if (planned is not null) sweep.Apply(planned);
        sweep.Apply(new TrialStarted("s1", index, sweep.Trial(index).Attempt + 1, "w", "node", "cpu", [], At));
        return index;
    }

    private static void Complete(SweepState sweep, int index, double value) =>
        sweep.Apply(new TrialCompleted("s1", index, sweep.Trial(index).Attempt, ImmutableDictionary<string, double>.Empty.Add("value", value), 1, null, At));

    [Test]
    public void Trials_are_planned_one_by_one_and_the_sweep_completes_when_all_end()
    {
        var sweep = NewSweep(3);
        Assert.That(sweep.Snapshot().Pending, Is.EqualTo(3));
        var first = Start(sweep);
        var second = Start(sweep);
        Assert.That((first, second), Is.EqualTo((0, 1)));
        Assert.That(sweep.Snapshot().Trials, Has.Length.EqualTo(2), "the sampler is asked only when a trial can start");
        Assert.That(sweep.Status, Is.EqualTo(SweepStatus.Running));
        Complete(sweep, 0, 0.3);
        sweep.Apply(new TrialFailed("s1", 1, 1, "boom", 1, At));
        Complete(sweep, Start(sweep), 0.9);
        var snapshot = sweep.Snapshot();
        Assert.That(snapshot.Status, Is.EqualTo(SweepStatus.Completed));
        var summary = snapshot.Summary;
        Assert.That((summary.Completed, summary.Failed, summary.Cancelled, summary.Max), Is.EqualTo((2, 1, 0, 0.9)));
        Assert.That(summary.Mean, Is.EqualTo(0.6).Within(1e-12));
        Assert.That(summary.Std, Is.EqualTo(0.3).Within(1e-12), "population standard deviation, as numpy's default");
        Assert.That(snapshot.Best!.Index, Is.EqualTo(2));
        Assert.That(sweep.HasTrialToStart, Is.False);
    }

    [Test]
    public void The_best_follows_the_direction_and_ties_go_to_the_lower_index()
    {
        var max = NewSweep(3);
        foreach (var v in new[] { 0.5, 0.8, 0.8 }) Complete(max, Start(max), v);
        Assert.That(max.Snapshot().Best!.Index, Is.EqualTo(1));
        var min = NewSweep(3, "minimize");
        foreach (var v in new[] { 0.5, 0.2, 0.2 }) Complete(min, Start(min), v);
        Assert.That(min.Snapshot().Best!.Index, Is.EqualTo(1));
        Assert.That(min.Snapshot().Summary.Max, Is.EqualTo(0.2), "the best value in the metric's direction");
    }

    [Test]
    public void The_overview_is_what_a_whole_snapshot_shows_at_every_step()
    {
        var sweep = NewSweep(5);
        string Overview() => SweepJson.Serialize(new SweepListEntry(sweep.Overview()));
        string FromSnapshot() => SweepJson.Serialize(new SweepListEntry(SweepOverview.Of(sweep.Snapshot())));
        Assert.That(Overview(), Is.EqualTo(FromSnapshot()), "nothing started");
        var (a, b, c) = (Start(sweep), Start(sweep), Start(sweep));
        Complete(sweep, a, 0.4);
        Assert.That(Overview(), Is.EqualTo(FromSnapshot()), "two running, one completed");
        sweep.Apply(new TrialFailed("s1", b, 1, "boom", 1, At));
        Complete(sweep, c, 0.4); // ties the best: the lower index stays best
        sweep.PendingReason = "all cpu slots are busy";
        Assert.That(Overview(), Is.EqualTo(FromSnapshot()), "a failure, a tie, a reason to wait");
        Assert.That(sweep.Troubled().Select(t => t.Index), Is.EqualTo(new[] { b }));
        Complete(sweep, Start(sweep), 0.1);
        Complete(sweep, Start(sweep), 0.9);
        Assert.That(Overview(), Is.EqualTo(FromSnapshot()), "ended");
    }

    [Test]
    public void The_planned_parameters_are_those_of_the_static_plan()
    {
        var sweep = NewSweep(4);
        for (var i = 0; i < 4; i++) Start(sweep);
        var plan = Core.Planning.TrialPlanner.Plan(sweep.Spec);
        Assert.That(sweep.Snapshot().Trials.Select(t => t.Params), Is.EqualTo(plan.Trials.Select(t => t.Params)));
        Assert.That(sweep.Snapshot().Trials.Select(t => t.Seed), Is.EqualTo(plan.Trials.Select(t => t.Seed)));
    }

    [Test]
    public void An_epochs_override_shows_in_the_trials_parameters()
    {
        var yaml = Experiments.Sleep(1).Replace("  steps: 1", "  steps: 1\n  epochs: 5");
        var spec = ExperimentSpecParser.Parse(yaml, "sleep.yml").Spec!;
        var sweep = new SweepState(new SweepSubmitted("s1", "sleepy", yaml, "sleep.yml", 1, 7, Epochs: 3, false, "/runs/s1", At), spec);
        var (_, planned) = sweep.NextToStart();
        Assert.That(planned!.Params["epochs"], Is.EqualTo(new ParamValue.Int(3)), "what the trial runs, not what the file says");
    }

    [Test]
    public void A_trial_is_never_pruned_at_its_last_report()
    {
        const string yaml = "name: once\nnum_trials: 6\nsampler: random\npruner: sha\nparams: {seconds: 0}\nparam_space:\n  value: uniform(0, 1)\nmetric: {name: value, direction: maximize}\nrun: builtin/sleep\n";
        var spec = ExperimentSpecParser.Parse(yaml, "once.yml").Spec!;
        var sweep = new SweepState(new SweepSubmitted("s1", "once", yaml, "once.yml", 6, 7, null, false, "/runs/s1", At), spec);
        for (var i = 0; i < 6; i++)
        {
            var index = Start(sweep);
            sweep.Apply(new TrialProgressed("s1", index, 1, new EpochPoint(1, null, 1.0 / (i + 1), 0)));
            Assert.That(sweep.ShouldPrune(index), Is.False, "builtin/sleep without steps reports once: stopping it then saves nothing");
        }
    }

    [Test]
    public void A_requeued_trial_starts_again_first_with_the_next_attempt()
    {
        var sweep = NewSweep(3);
        var lost = Start(sweep);
        sweep.Apply(new TrialRequeued("s1", lost, 1, "its worker left the cluster"));
        Assert.That(sweep.Snapshot().Trials[0].Status, Is.EqualTo(TrialStatus.Pending));
        var again = Start(sweep);
        Assert.That(again, Is.EqualTo(lost));
        Assert.That(sweep.Trial(again).Attempt, Is.EqualTo(2));
    }

    [Test]
    public void Cancelling_drops_waiting_trials_and_ends_when_running_ones_stop()
    {
        var sweep = NewSweep(5);
        var running = Start(sweep);
        sweep.Apply(new SweepCancelled("s1", At));
        Assert.That(sweep.HasTrialToStart, Is.False);
        Assert.That(sweep.Status, Is.EqualTo(SweepStatus.Running), "a trial still runs");
        sweep.Apply(new TrialCancelled("s1", running, At));
        var snapshot = sweep.Snapshot();
        Assert.That(snapshot.Status, Is.EqualTo(SweepStatus.Cancelled));
        Assert.That(snapshot.Pending, Is.Zero);
        Assert.That(snapshot.Summary.Cancelled, Is.EqualTo(1));
    }
}

public class SweepRecoveryTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    private static SweepState NewSweep(int trials, string extra = "", string sampler = "random")
    {
        var yaml = Experiments.Sleep(trials, extra: extra).Replace("sampler: random", $"sampler: {sampler}");
        var spec = ExperimentSpecParser.Parse(yaml, "sleep.yml").Spec!;
        return new SweepState(new SweepSubmitted("s1", "sleepy", yaml, "sleep.yml", trials, 7, null, false, "/runs/s1", At), spec);
    }

    /// <summary>Starts the next trial and returns the events that did it, so a test can replay them elsewhere.</summary>
    private static (int Index, List<ISweepEvent> Events) Start(SweepState sweep)
    {
        var events = new List<ISweepEvent>();
        var (index, planned) = sweep.NextToStart();
        if (planned is not null) events.Add(planned);
        var attempt = (planned is null ? sweep.Trial(index).Attempt : 0) + 1;
        events.Add(new TrialStarted("s1", index, attempt, "akka.tcp://sweep@127.0.0.1:1/user/sweep-worker", "node", "cuda:1", [1], At));
        foreach (var e in events) sweep.Apply(e);
        return (index, events);
    }

    private static ISweepEvent Fail(SweepState sweep, int index, string reason, bool retryable, int? divergedAt = null)
    {
        var decision = sweep.DecideFailure(index, sweep.Trial(index).Attempt, reason, retryable, divergedAt, 1, At);
        sweep.Apply(decision);
        return decision;
    }

    [Test]
    public void A_retryable_failure_is_retried_up_to_max_failures_then_fails_with_every_reason_kept()
    {
        var sweep = NewSweep(1, extra: "max_failures: 2");
        var (index, _) = Start(sweep);
        Assert.That(Fail(sweep, index, "worker lost", retryable: true), Is.TypeOf<TrialRequeued>());
        Start(sweep);
        Assert.That(Fail(sweep, index, "timeout", retryable: true), Is.TypeOf<TrialRequeued>());
        Start(sweep);
        var last = Fail(sweep, index, "worker lost", retryable: true);
        Assert.That(last, Is.TypeOf<TrialFailed>());
        var trial = sweep.Snapshot().Trials.Single();
        Assert.That((trial.Status, trial.Attempt), Is.EqualTo((TrialStatus.Failed, 3)));
        Assert.That(trial.Reason, Is.EqualTo("worker lost (failed 3 times; max_failures is 2)"));
        Assert.That(trial.FailedAttempts, Is.EqualTo(new[] { "attempt 1: worker lost", "attempt 2: timeout" }));
        Assert.That(sweep.Status, Is.EqualTo(SweepStatus.Completed), "the sweep goes on and ends with the failure counted");
    }

    [Test]
    public void An_invalid_configuration_fails_at_once()
    {
        var sweep = NewSweep(1);
        var (index, _) = Start(sweep);
        Assert.That(Fail(sweep, index, "bs must be at least 1", retryable: false), Is.TypeOf<TrialFailed>());
        Assert.That(sweep.Snapshot().Trials.Single().FailedAttempts, Is.Empty);
    }

    [Test]
    public void NaN_at_another_epoch_is_retried_but_at_the_same_epoch_again_is_deterministic()
    {
        var sweep = NewSweep(1, extra: "max_failures: 5");
        var (index, _) = Start(sweep);
        Assert.That(Fail(sweep, index, "the training loss became NaN in epoch 3", true, divergedAt: 3), Is.TypeOf<TrialRequeued>());
        Start(sweep);
        Assert.That(Fail(sweep, index, "the training loss became NaN in epoch 2", true, divergedAt: 2), Is.TypeOf<TrialRequeued>());
        Start(sweep);
        var again = Fail(sweep, index, "the training loss became NaN in epoch 2", true, divergedAt: 2);
        Assert.That(again, Is.TypeOf<TrialFailed>());
        Assert.That(((TrialFailed)again).Reason, Does.EndWith("(again at epoch 2: deterministic, not retried)"));
    }

    [Test]
    public void A_lost_attempt_of_a_sweep_being_cancelled_is_cancelled_not_retried()
    {
        var sweep = NewSweep(2);
        var (index, _) = Start(sweep);
        sweep.Apply(new SweepCancelled("s1", At));
        Assert.That(Fail(sweep, index, "worker lost", retryable: true), Is.TypeOf<TrialCancelled>());
        Assert.That(sweep.Status, Is.EqualTo(SweepStatus.Cancelled));
    }

    [Test]
    public void A_retry_resumed_from_a_checkpoint_keeps_the_epochs_reported_and_one_that_starts_over_replaces_them()
    {
        var sweep = NewSweep(1, extra: "max_failures: 3");
        var (index, _) = Start(sweep);
        for (var epoch = 1; epoch <= 3; epoch++) sweep.Apply(new TrialProgressed("s1", index, 1, new EpochPoint(epoch, 0.5, epoch / 10.0, 1)));
        Fail(sweep, index, "worker lost", retryable: true);
        Start(sweep);
        sweep.Apply(new TrialProgressed("s1", index, 2, new EpochPoint(4, 0.4, 0.4, 1)));
        Assert.That(sweep.Snapshot().Trials.Single().Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2, 3, 4 }), "resumed after epoch 3");
        Fail(sweep, index, "worker lost", retryable: true);
        Start(sweep);
        sweep.Apply(new TrialProgressed("s1", index, 3, new EpochPoint(1, 0.9, 0.05, 1)));
        Assert.That(sweep.Snapshot().Trials.Single().Epochs.Select(e => e.Value), Is.EqualTo(new[] { 0.05 }), "no checkpoint: epoch 1 again, the rest dropped");
    }

    [TestCase("random")]
    [TestCase("tpe")]
    public void A_sweep_restored_from_its_memento_is_the_sweep_its_events_built_and_goes_on_the_same(string sampler)
    {
        var original = NewSweep(12, extra: "max_failures: 1", sampler: sampler);
        var values = new[] { 0.3, 0.9, 0.1, 0.6, 0.8, 0.2 };
        for (var i = 0; i < values.Length; i++)
        {
            var (index, _) = Start(original);
            original.Apply(new TrialProgressed("s1", index, original.Trial(index).Attempt, new EpochPoint(1, 0.5, values[i], 1)));
            if (i == 2) Fail(original, index, "worker lost", retryable: true); // waits to start again
            else if (i == 4) Fail(original, index, "bad config", retryable: false);
            else original.Apply(new TrialCompleted("s1", index, original.Trial(index).Attempt, ImmutableDictionary<string, double>.Empty.Add("value", values[i]), 1, null, At));
        }
        Start(original); // the requeued trial runs again: attempt 2, running when the snapshot is taken
        Start(original); // a fresh trial, running

        var restored = SweepState.FromMemento(original.ToMemento(), original.Spec);
        Assert.That(SweepJson.Serialize(new SweepDocument(restored.Snapshot())), Is.EqualTo(SweepJson.Serialize(new SweepDocument(original.Snapshot()))));
        Assert.That((restored.BestValue, restored.PendingCount, restored.Running.Count), Is.EqualTo((original.BestValue, original.PendingCount, original.Running.Count)));
        Assert.That(restored.Running.Select(t => (t.Worker, t.Gpus.Single())), Is.EqualTo(original.Running.Select(t => (t.Worker, t.Gpus.Single()))));

        var next = Start(original).Events.OfType<TrialPlanned>().Single();
        var nextRestored = Start(restored).Events.OfType<TrialPlanned>().Single();
        Assert.That(nextRestored.Params, Is.EqualTo(next.Params), "the sampler sees the same finished trials, so it suggests the same");
    }
}
