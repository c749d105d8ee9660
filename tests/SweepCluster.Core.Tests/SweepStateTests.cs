using System.Collections.Immutable;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Core.Tests;

public class SweepStateTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    private static ArchivedSweep NewSweep(int trials, string direction = "maximize")
    {
        var yaml = Experiments.Sleep(trials).Replace("direction: maximize", $"direction: {direction}");
        var spec = ExperimentSpecParser.Parse(yaml, "sleep.yml").Spec!;
        return new ArchivedSweep(new SweepState(new SweepSubmitted("s1", "sleepy", yaml, "sleep.yml", trials, 7, null, false, "/runs/s1", At), spec));
    }

    private static int Start(ArchivedSweep sweep, int attempt = 1)
    {
        var (index, planned) = sweep.State.NextToStart();
        if (planned is not null) sweep.Apply(planned);
        sweep.Apply(new TrialStarted("s1", index, sweep.State.Trial(index).Attempt + 1, "w", "node", "cpu", [], At));
        return index;
    }

    private static void Complete(ArchivedSweep sweep, int index, double value) =>
        sweep.Apply(new TrialCompleted("s1", index, sweep.State.Trial(index).Attempt, ImmutableDictionary<string, double>.Empty.Add("value", value), 1, null, At));

    [Test]
    public void The_state_hands_each_ended_trial_over_once_and_keeps_only_its_status()
    {
        // A run folder that cannot exist: the state writes no file, whatever its sweep's folder.
        var yaml = Experiments.Sleep(2);
        var state = new SweepState(new SweepSubmitted("s1", "sleepy", yaml, "sleep.yml", 2, 7, null, false, "/proc/no-such-run", At),
            ExperimentSpecParser.Parse(yaml, "sleep.yml").Spec!);
        var (index, planned) = state.NextToStart();
        state.Apply(planned!);
        state.Apply(new TrialStarted("s1", index, 1, "w", "node", "cpu", [], At));
        Assert.That(state.TakeEnded(), Is.Empty, "nothing has ended");
        state.Apply(new TrialFailed("s1", index, 1, "boom", 2, At));

        var ended = state.TakeEnded();
        Assert.That(ended.Select(t => (t.Index, t.Status, t.Reason)), Is.EqualTo(new[] { (index, TrialStatus.Failed, (string?)"boom") }));
        Assert.That(state.TakeEnded(), Is.Empty, "handed over once");
        Assert.That((state.LiveTrial(index), state.StatusOf(index), state.HasEnded(index), state.PendingCount), Is.EqualTo(((TrialSnapshot?)null, TrialStatus.Failed, true, 1)));
        Assert.That(state.Overview().Header.Summary.Failed, Is.EqualTo(1), "its figures stay in the summary");
        Assert.That(state.Snapshot(ended).Trials.Single().Reason, Is.EqualTo("boom"), "a snapshot takes the ended trials from where they were kept");
    }

    [Test]
    public void Trials_are_planned_one_by_one_and_the_sweep_completes_when_all_end()
    {
        var sweep = NewSweep(3);
        Assert.That(sweep.Snapshot().Pending, Is.EqualTo(3));
        var first = Start(sweep);
        var second = Start(sweep);
        Assert.That((first, second), Is.EqualTo((0, 1)));
        Assert.That(sweep.Snapshot().Trials, Has.Length.EqualTo(2), "the sampler is asked only when a trial can start");
        Assert.That(sweep.State.Status, Is.EqualTo(SweepStatus.Running));
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
        Assert.That(sweep.State.HasTrialToStart, Is.False);
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
        string Overview() => SweepJson.Serialize(new SweepListEntry(sweep.State.Overview()));
        string FromSnapshot() => SweepJson.Serialize(new SweepListEntry(SweepOverview.Of(sweep.Snapshot())));
        Assert.That(Overview(), Is.EqualTo(FromSnapshot()), "nothing started");
        var (a, b, c) = (Start(sweep), Start(sweep), Start(sweep));
        Complete(sweep, a, 0.4);
        Assert.That(Overview(), Is.EqualTo(FromSnapshot()), "two running, one completed");
        sweep.Apply(new TrialFailed("s1", b, 1, "boom", 1, At));
        Complete(sweep, c, 0.4); // ties the best: the lower index stays best
        sweep.State.PendingReason = "all cpu slots are busy";
        Assert.That(Overview(), Is.EqualTo(FromSnapshot()), "a failure, a tie, a reason to wait");
        Assert.That(sweep.State.Troubled().First.Select(t => t.Index), Is.EqualTo(new[] { b }));
        Complete(sweep, Start(sweep), 0.1);
        Complete(sweep, Start(sweep), 0.9);
        Assert.That(Overview(), Is.EqualTo(FromSnapshot()), "ended");
    }

    [Test]
    public void The_planned_parameters_are_those_of_the_static_plan()
    {
        var sweep = NewSweep(4);
        for (var i = 0; i < 4; i++) Start(sweep);
        var plan = Core.Planning.TrialPlanner.Plan(sweep.State.Spec);
        Assert.That(sweep.Snapshot().Trials.Select(t => t.Params), Is.EqualTo(plan.Trials.Select(t => t.Params)));
        Assert.That(sweep.Snapshot().Trials.Select(t => t.Seed), Is.EqualTo(plan.Trials.Select(t => t.Seed)));
    }

    [Test]
    public void An_epochs_override_shows_in_the_trials_parameters()
    {
        var yaml = Experiments.Sleep(1).Replace("  steps: 1", "  steps: 1\n  epochs: 5");
        var spec = ExperimentSpecParser.Parse(yaml, "sleep.yml").Spec!;
        var sweep = new ArchivedSweep(new SweepState(new SweepSubmitted("s1", "sleepy", yaml, "sleep.yml", 1, 7, Epochs: 3, false, "/runs/s1", At), spec));
        var (_, planned) = sweep.State.NextToStart();
        Assert.That(planned!.Params["epochs"], Is.EqualTo(new ParamValue.Int(3)), "what the trial runs, not what the file says");
    }

    [Test]
    public void Past_a_thousand_trials_the_median_pruner_compares_with_a_sample_and_still_stops_the_trials_below_the_median()
    {
        const int earlier = 5_000;
        var yaml = Experiments.Sleep(earlier + 2, steps: 2, extra: "pruner: median");
        var spec = ExperimentSpecParser.Parse(yaml, "pruned.yml").Spec!;
        var sweep = new ArchivedSweep(new SweepState(new SweepSubmitted("s1", "pruned", yaml, "pruned.yml", earlier + 2, 7, null, false, "/runs/s1", At), spec));
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
        Assert.That((sweep.State.ShouldPrune(low), sweep.State.ShouldPrune(high)), Is.EqualTo((true, false)),
            $"compared with {SweepState.MaxComparedByPruner} of the {earlier} earlier trials, 0.45 is below their median and 0.55 above");
    }

    [Test]
    public void A_trial_is_never_pruned_at_its_last_report()
    {
        const string yaml = "name: once\nnum_trials: 6\nsampler: random\npruner: sha\nparams: {seconds: 0}\nparam_space:\n  value: uniform(0, 1)\nmetric: {name: value, direction: maximize}\nrun: builtin/sleep\n";
        var spec = ExperimentSpecParser.Parse(yaml, "once.yml").Spec!;
        var sweep = new ArchivedSweep(new SweepState(new SweepSubmitted("s1", "once", yaml, "once.yml", 6, 7, null, false, "/runs/s1", At), spec));
        for (var i = 0; i < 6; i++)
        {
            var index = Start(sweep);
            sweep.Apply(new TrialProgressed("s1", index, 1, new EpochPoint(1, null, 1.0 / (i + 1), 0)));
            Assert.That(sweep.State.ShouldPrune(index), Is.False, "builtin/sleep without steps reports once: stopping it then saves nothing");
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
        Assert.That(sweep.State.Trial(again).Attempt, Is.EqualTo(2));
    }

    [Test]
    public void A_released_trial_starts_again_first_and_counts_no_failure()
    {
        var sweep = NewSweep(3);
        var given = Start(sweep);
        Assert.That(sweep.State.DecideRelease(given, 1, "released: its worker left the cluster", At), Is.TypeOf<TrialReleased>());
        sweep.Apply(sweep.State.DecideRelease(given, 1, "released: its worker left the cluster", At));
        Assert.That(sweep.Snapshot().Trials[0].Status, Is.EqualTo(TrialStatus.Pending));
        Assert.That(sweep.State.Running, Is.Empty);
        var again = Start(sweep);
        Assert.That((again, sweep.State.Trial(again).Attempt), Is.EqualTo((given, 2)));
        Assert.That(sweep.State.Trial(again).FailedAttempts, Is.Empty, "giving a trial back is not a failure: max_failures is not used up");
    }

    [Test]
    public void A_trial_released_while_the_sweep_is_cancelled_is_cancelled()
    {
        var sweep = NewSweep(2);
        var running = Start(sweep);
        sweep.Apply(new SweepCancelled("s1", At));
        Assert.That(sweep.State.DecideRelease(running, 1, "released", At), Is.TypeOf<TrialCancelled>());
    }

    [Test]
    public void The_expected_trial_time_is_the_mean_of_the_completed_trials_and_survives_a_snapshot()
    {
        var sweep = NewSweep(4);
        Assert.That(sweep.State.ExpectedTrialSeconds, Is.Null);
        foreach (var seconds in new[] { 10.0, 30.0 })
        {
            var index = Start(sweep);
            sweep.Apply(new TrialCompleted("s1", index, 1, ImmutableDictionary<string, double>.Empty.Add("value", 0.5), seconds, null, At));
        }
        Start(sweep);
        Assert.That(sweep.State.ExpectedTrialSeconds, Is.EqualTo(20));
        Assert.That(ArchivedSweep.FromMemento(sweep.ToMemento(), sweep.State.Spec).State.ExpectedTrialSeconds, Is.EqualTo(20));
    }

    [Test]
    public void Cancelling_drops_waiting_trials_and_ends_when_running_ones_stop()
    {
        var sweep = NewSweep(5);
        var running = Start(sweep);
        sweep.Apply(new SweepCancelled("s1", At));
        Assert.That(sweep.State.HasTrialToStart, Is.False);
        Assert.That(sweep.State.Status, Is.EqualTo(SweepStatus.Running), "a trial still runs");
        sweep.Apply(new TrialCancelled("s1", running, At));
        var snapshot = sweep.Snapshot();
        Assert.That(snapshot.Status, Is.EqualTo(SweepStatus.Cancelled));
        Assert.That(snapshot.Pending, Is.Zero);
        Assert.That(snapshot.Summary.Cancelled, Is.EqualTo(1));
    }
}
