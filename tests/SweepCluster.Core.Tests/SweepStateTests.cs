using System.Collections.Immutable;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

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
        Assert.That(sweep.Troubled().First.Select(t => t.Index), Is.EqualTo(new[] { b }));
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
    public void Past_a_thousand_trials_the_median_pruner_compares_with_a_sample_and_still_stops_the_trials_below_the_median()
    {
        const int earlier = 5_000;
        var yaml = Experiments.Sleep(earlier + 2, steps: 2, extra: "pruner: median");
        var spec = ExperimentSpecParser.Parse(yaml, "pruned.yml").Spec!;
        var sweep = new SweepState(new SweepSubmitted("s1", "pruned", yaml, "pruned.yml", earlier + 2, 7, null, false, "/runs/s1", At), spec);
        for (var i = 0; i < earlier; i++)
        {
            var index = Start(sweep);
            var value = i / (double)earlier; // rising: a sample of the first or the last trials would put the median far from 0.5
            sweep.Apply(new TrialProgressed("s1", index, 1, new EpochPoint(1, null, value, 0)));
            sweep.Apply(new TrialProgressed("s1", index, 1, new EpochPoint(2, null, value, 0)));
            Complete(sweep, index, value);
        }
        var (low, high) = (Start(sweep), Start(sweep));
        sweep.Apply(new TrialProgressed("s1", low, 1, new EpochPoint(1, null, 0.45, 0)));
        sweep.Apply(new TrialProgressed("s1", high, 1, new EpochPoint(1, null, 0.55, 0)));
        Assert.That((sweep.ShouldPrune(low), sweep.ShouldPrune(high)), Is.EqualTo((true, false)),
            $"compared with {SweepState.MaxComparedByPruner} of the {earlier} earlier trials, 0.45 is below their median and 0.55 above");
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
    public void A_released_trial_starts_again_first_and_counts_no_failure()
    {
        var sweep = NewSweep(3);
        var given = Start(sweep);
        Assert.That(sweep.DecideRelease(given, 1, "released: its worker left the cluster", At), Is.TypeOf<TrialReleased>());
        sweep.Apply(sweep.DecideRelease(given, 1, "released: its worker left the cluster", At));
        Assert.That(sweep.Snapshot().Trials[0].Status, Is.EqualTo(TrialStatus.Pending));
        Assert.That(sweep.Running, Is.Empty);
        var again = Start(sweep);
        Assert.That((again, sweep.Trial(again).Attempt), Is.EqualTo((given, 2)));
        Assert.That(sweep.Trial(again).FailedAttempts, Is.Empty, "giving a trial back is not a failure: max_failures is not used up");
    }

    [Test]
    public void A_trial_released_while_the_sweep_is_cancelled_is_cancelled()
    {
        var sweep = NewSweep(2);
        var running = Start(sweep);
        sweep.Apply(new SweepCancelled("s1", At));
        Assert.That(sweep.DecideRelease(running, 1, "released", At), Is.TypeOf<TrialCancelled>());
    }

    [Test]
    public void The_expected_trial_time_is_the_mean_of_the_completed_trials_and_survives_a_snapshot()
    {
        var sweep = NewSweep(4);
        Assert.That(sweep.ExpectedTrialSeconds, Is.Null);
        foreach (var seconds in new[] { 10.0, 30.0 })
        {
            var index = Start(sweep);
            sweep.Apply(new TrialCompleted("s1", index, 1, ImmutableDictionary<string, double>.Empty.Add("value", 0.5), seconds, null, At));
        }
        Start(sweep);
        Assert.That(sweep.ExpectedTrialSeconds, Is.EqualTo(20));
        Assert.That(SweepState.FromMemento(sweep.ToMemento(), sweep.Spec).ExpectedTrialSeconds, Is.EqualTo(20));
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

    private static SweepState NewSweep(int trials, string extra = "", string sampler = "random", string? runDirectory = null)
    {
        var yaml = Experiments.Sleep(trials, extra: extra).Replace("sampler: random", $"sampler: {sampler}");
        var spec = ExperimentSpecParser.Parse(yaml, "sleep.yml").Spec!;
        return new SweepState(new SweepSubmitted("s1", "sleepy", yaml, "sleep.yml", trials, 7, null, false, runDirectory ?? "/runs/s1", At), spec,
            runDirectory is null ? null : TrialArchive.InFile(runDirectory));
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

    [TestCase("random", false)]
    [TestCase("tpe", false)]
    [TestCase("random", true)]
    [TestCase("tpe", true)]
    public void A_sweep_restored_from_its_memento_is_the_sweep_its_events_built_and_goes_on_the_same(string sampler, bool archivedInFile)
    {
        var folder = Directory.CreateTempSubdirectory("memento-").FullName;
        try
        {
            RestoredTheSame(sampler, archivedInFile, folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void RestoredTheSame(string sampler, bool archivedInFile, string folder)
    {
        var original = NewSweep(12, extra: "max_failures: 1", sampler: sampler, runDirectory: archivedInFile ? folder : null);
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

        var memento = original.ToMemento();
        if (archivedInFile)
            Assert.That((memento.Trials.Select(t => t.Trial.Status), memento.Finished.Length, memento.ArchivedLength),
                Is.EqualTo((new[] { TrialStatus.Running, TrialStatus.Running }, 0, new FileInfo(Path.Combine(folder, TrialArchive.FileName)).Length)),
                "the memento holds the running trials; the ended ones are the file's");
        else
        {
            // A snapshot written before archives (every trial in it) restored by a coordinator that archives in a file.
            using var moved = SweepState.FromMemento(memento, original.Spec, () => TrialArchive.InFile(folder));
            Assert.That(SweepJson.Serialize(new SweepDocument(moved.Snapshot())), Is.EqualTo(SweepJson.Serialize(new SweepDocument(original.Snapshot()))));
            Assert.That(moved.ToMemento().Trials, Has.Length.EqualTo(2));
        }
        using var restored = SweepState.FromMemento(memento, original.Spec);
        Assert.That(SweepJson.Serialize(new SweepDocument(restored.Snapshot())), Is.EqualTo(SweepJson.Serialize(new SweepDocument(original.Snapshot()))));
        Assert.That((SweepJson.Serialize(restored.Overview()), restored.Troubled().Count), Is.EqualTo((SweepJson.Serialize(original.Overview()), original.Troubled().Count)));
        Assert.That((restored.BestValue, restored.PendingCount, restored.Running.Count), Is.EqualTo((original.BestValue, original.PendingCount, original.Running.Count)));
        Assert.That(restored.Running.Select(t => (t.Worker, t.Gpus.Single())), Is.EqualTo(original.Running.Select(t => (t.Worker, t.Gpus.Single()))));

        var next = Start(original).Events.OfType<TrialPlanned>().Single();
        var nextRestored = Start(restored).Events.OfType<TrialPlanned>().Single();
        Assert.That(nextRestored.Params, Is.EqualTo(next.Params), "the sampler sees the same finished trials, so it suggests the same");
    }
}

public class MetricReportAndConfirmationTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    private static SweepState Sweep(string metricExtra = "", ConfirmationPlan? confirms = null, int trials = 1)
    {
        var yaml = Experiments.Sleep(trials, steps: 3).Replace("direction: maximize", "direction: maximize\n" + metricExtra);
        var spec = ExperimentSpecParser.Parse(yaml, "sleep.yml").Spec ?? throw new AssertionException(string.Join("; ", ExperimentSpecParser.Parse(yaml, "sleep.yml").Errors));
        return new SweepState(new SweepSubmitted("s1", "sleepy", yaml, "sleep.yml", confirms?.TotalTrials ?? trials, 7, null, false, "/runs/s1", At, Confirms: confirms), spec);
    }

    private static void Run(SweepState sweep, double[] curve)
    {
        var (index, planned) = sweep.NextToStart();
        if (planned is not null) sweep.Apply(planned);
        sweep.Apply(new TrialStarted("s1", index, 1, "w", "node", "cpu", [], At));
        for (var e = 0; e < curve.Length; e++) sweep.Apply(new TrialProgressed("s1", index, 1, new EpochPoint(e + 1, null, curve[e], 1)));
        sweep.Apply(new TrialCompleted("s1", index, 1, ImmutableDictionary<string, double>.Empty.Add("value", curve[^1]), 1, null, At));
    }

    [Test]
    public void A_trial_reports_its_last_epoch_by_default_and_its_best_epoch_with_report_best()
    {
        var last = Sweep();
        Run(last, [0.6, 0.9, 0.7]);
        Assert.That(last.Snapshot().Best!.Metrics, Is.EquivalentTo(new Dictionary<string, double> { ["value"] = 0.7 }));

        var best = Sweep("  report: best");
        Run(best, [0.6, 0.9, 0.7]);
        Assert.That(best.Snapshot().Best!.Metrics, Is.EquivalentTo(new Dictionary<string, double> { ["value"] = 0.9, ["best_epoch"] = 2 }));
        Assert.That(best.BestValue, Is.EqualTo(0.9));
    }

    [Test]
    public void A_wrong_report_value_names_the_key_and_the_choices()
    {
        var yaml = Experiments.Sleep(1).Replace("direction: maximize", "direction: maximize\n  report: mean");
        var errors = ExperimentSpecParser.Parse(yaml, "sleep.yml").Errors.Select(e => e.ToString()).ToList();
        Assert.That(errors, Has.One.Contains("metric.report").And.Contains("last").And.Contains("best"));
    }

    [Test]
    public void A_confirmation_runs_each_configuration_under_its_seeds_in_order_and_prunes_nothing()
    {
        var a = new ParamValue.Map([KeyValuePair.Create("value", (ParamValue)new ParamValue.Real(0.1))]);
        var b = new ParamValue.Map([KeyValuePair.Create("value", (ParamValue)new ParamValue.Real(0.2))]);
        var sweep = Sweep(confirms: new ConfirmationPlan("src", 3, [new(4, 0.9, a), new(2, 0.8, b)]));
        var planned = new List<TrialPlanned>();
        while (sweep.HasTrialToStart)
        {
            var (index, next) = sweep.NextToStart();
            planned.Add(next!);
            sweep.Apply(next!);
            sweep.Apply(new TrialStarted("s1", index, 1, "w", "node", "cpu", [], At));
        }
        Assert.That(planned.Select(p => p.Params), Is.EqualTo(new[] { a, a, a, b, b, b }));
        Assert.That(planned.Select(p => p.Seed).Distinct().Count(), Is.EqualTo(6));
        sweep.Apply(new TrialProgressed("s1", 0, 1, new EpochPoint(1, null, -100, 1)));
        Assert.That(sweep.ShouldPrune(0), Is.False);
    }

    [Test]
    public void A_verdict_gives_mean_spread_and_chance_of_being_best_and_counts_failures_apart()
    {
        var plan = new ConfirmationPlan("src", 4, [new(4, 0.9, ParamValue.Map.Empty), new(2, 0.8, ParamValue.Map.Empty)]);
        var values = new Dictionary<int, double?> { [0] = 0.5, [1] = 0.7, [2] = 0.6, [3] = null, [4] = 0.9, [5] = 0.8, [6] = 0.85, [7] = 0.95 };
        var trials = values.Select(v => (v.Key, v.Value is null ? TrialStatus.Failed : TrialStatus.Completed,
            (IReadOnlyDictionary<string, double>)(v.Value is { } x ? new Dictionary<string, double> { ["value"] = x } : [])));
        var verdict = ConfirmationVerdict.Of(plan, new MetricSpec("value", MetricDirection.Maximize), trials.ToList());
        var (winner, other) = (verdict.Configurations[0], verdict.Configurations[1]);
        Assert.That((winner.Runs, winner.Failed, other.Runs), Is.EqualTo((3, 1, 4)));
        Assert.That(winner.Mean, Is.EqualTo(0.6).Within(1e-12));
        Assert.That(winner.Std, Is.EqualTo(0.1).Within(1e-12), "sample standard deviation");
        Assert.That(winner.StandardError, Is.EqualTo(0.1 / Math.Sqrt(3)).Within(1e-12));
        Assert.That(other.ProbabilityBest, Is.EqualTo(1.0), "no resample of 0.5-0.7 beats 0.8-0.95");
        Assert.That((verdict.BestSourceTrial, verdict.OriginalWinnerStands, verdict.Complete), Is.EqualTo((2, false, true)));

        var minimized = ConfirmationVerdict.Of(plan, new MetricSpec("value", MetricDirection.Minimize), trials.Take(5).ToList());
        Assert.That((minimized.BestSourceTrial, minimized.OriginalWinnerStands, minimized.Complete), Is.EqualTo((4, true, false)));
    }
}

public class StudyTableTests
{
    [Test]
    public void Overrides_replace_or_add_top_level_keys_and_leave_the_rest_as_it_was()
    {
        var yaml = Experiments.Sleep(3).Replace("sampler: random", "sampler: tpe");
        var changed = ExperimentOverrides.With(yaml, new Dictionary<string, string> { ["sampler"] = "random", ["pruner"] = "none" });
        var (before, after) = (ExperimentSpecParser.Parse(yaml, "x.yml").Spec!, ExperimentSpecParser.Parse(changed, "x.yml").Spec!);
        Assert.That((before.Sampler, before.Pruner), Is.EqualTo((SamplerKind.Tpe, PrunerKind.Median)));
        Assert.That((after.Sampler, after.Pruner), Is.EqualTo((SamplerKind.Random, PrunerKind.None)));
        Assert.That(after with { Sampler = before.Sampler, Pruner = before.Pruner, ParamSpace = before.ParamSpace }, Is.EqualTo(before));
        var random = before with { Sampler = SamplerKind.Random, Pruner = PrunerKind.None };
        Assert.That(Planning.TrialPlanner.Plan(after).Trials.Select(t => t.Params), Is.EqualTo(Planning.TrialPlanner.Plan(random).Trials.Select(t => t.Params)),
            "the same search space");
    }

    [Test]
    public void A_failed_trial_counts_as_zero_and_cancelled_ones_do_not_count()
    {
        TrialSnapshot Trial(int index, TrialStatus status, double? value) => new(index, status, 1, 1, ParamValue.Map.Empty,
            value is { } v ? ImmutableDictionary<string, double>.Empty.Add("test_f1", v) : ImmutableDictionary<string, double>.Empty, [], null, null, null, null, null, null, []);
        var sweep = new SweepSnapshot("s", "CNN", SweepStatus.Completed, new MetricSpec("test_f1", MetricDirection.Maximize), 4, 0,
            [Trial(0, TrialStatus.Completed, 0.9), Trial(1, TrialStatus.Failed, null), Trial(2, TrialStatus.Completed, 0.6), Trial(3, TrialStatus.Cancelled, null)],
            null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "/runs/s");
        var row = StudyRow.Of("convnet", sweep);
        Assert.That((row.Completed, row.Failed, row.Best), Is.EqualTo((2, 1, 0.9)));
        Assert.That(row.Mean, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(row.Std, Is.EqualTo(Math.Sqrt((0.16 + 0.25 + 0.01) / 3)).Within(1e-12));
    }
}
