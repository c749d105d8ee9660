using System.Collections.Immutable;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Core.Tests;

public class ExtendTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    private static SweepSubmitted Submitted(string yaml, int trials, ConfirmationPlan? confirms = null) =>
        new("s1", "sleepy", yaml, "sleep.yml", trials, 7, null, false, "/runs/s1", At, Confirms: confirms);

    private static ArchivedSweep NewSweep(int trials, string sampler = "random", string pruner = "none", int steps = 1)
    {
        var yaml = Experiments.Sleep(trials, steps: steps, extra: $"pruner: {pruner}").Replace("sampler: random", $"sampler: {sampler}");
        return new ArchivedSweep(new SweepState(Submitted(yaml, trials), Specs.Parse(yaml)));
    }

    /// <summary>Starts the next trial and completes it with the value <paramref name="objective"/> gives its parameters, each step reporting it.</summary>
    private static int Run(ArchivedSweep sweep, Func<double, double> objective, int steps = 1)
    {
        var (index, planned) = sweep.State.NextToStart();
        if (planned is not null) sweep.Apply(planned);
        sweep.Apply(new TrialStarted("s1", index, 1, "w", "node", "cpu", [], At));
        var value = objective(sweep.State.Trial(index).Params["value"]!.AsNumber()!.Value);
        for (var step = 1; step <= steps; step++) sweep.Apply(new TrialProgressed("s1", index, 1, new EpochPoint(step, null, value, 0.1)));
        sweep.Apply(new TrialCompleted("s1", index, 1, ImmutableDictionary<string, double>.Empty.Add("value", value), 1, null, At));
        return index;
    }

    private static SweepExtended Extend(ArchivedSweep sweep, int added)
    {
        var (extended, error) = sweep.State.DecideExtend(added, At);
        Assert.That(error, Is.Null);
        sweep.Apply(extended!);
        return extended!;
    }

    /// <summary>The sweep as its sweep.json would give it back.</summary>
    private static ArchivedSweep Resumed(ArchivedSweep sweep, bool withCurves = true) => ArchivedSweep.FromMemento(SweepState.EndedAsRecorded(sweep.State.Submitted,
        sweep.Snapshot().Trials.Select(TrialDocument.Of).Select(t => withCurves ? t : t with { Curve = null }), sweep.Snapshot().Trials.Length), sweep.State.Spec);

    [Test]
    public void An_extended_sweep_numbers_its_new_trials_after_the_earlier_ones_and_sums_up_all()
    {
        var sweep = NewSweep(3);
        foreach (var value in new[] { 0.2, 0.5, 0.3 }) Run(sweep, _ => value);
        Assert.That(sweep.State.Status, Is.EqualTo(SweepStatus.Completed));

        Assert.That(Extend(sweep, 2), Is.EqualTo(new SweepExtended("s1", 3, 5, At)));
        Assert.That((sweep.State.Status, sweep.State.EndedAt, sweep.State.HasTrialToStart, sweep.State.PendingCount), Is.EqualTo((SweepStatus.Running, (DateTimeOffset?)null, true, 2)));
        Assert.That(new[] { Run(sweep, _ => 0.9), Run(sweep, _ => 0.1) }, Is.EqualTo(new[] { 3, 4 }));
        var snapshot = sweep.Snapshot();
        Assert.That((snapshot.Status, snapshot.TotalTrials, snapshot.Summary.Completed, snapshot.Best!.Index), Is.EqualTo((SweepStatus.Completed, 5, 5, 3)));
        Assert.That(snapshot.Summary.Mean, Is.EqualTo(0.4).Within(1e-12), "the mean of all five");
    }

    [Test]
    public void After_an_extension_the_sampler_suggests_from_every_earlier_result_whether_the_sweep_was_held_or_read_back()
    {
        ParamValue.Map NextAfter(Func<double, double> objective, bool readBack)
        {
            var sweep = NewSweep(12, sampler: "tpe");
            for (var i = 0; i < 12; i++) Run(sweep, objective);
            if (readBack) sweep = Resumed(sweep);
            Extend(sweep, 1);
            return sweep.State.NextToStart().Planned!.Params;
        }
        var towardsOne = NextAfter(x => x, readBack: false);
        Assert.That(NextAfter(x => -x, readBack: false), Is.Not.EqualTo(towardsOne), "other results, another suggestion");
        Assert.That(NextAfter(x => x, readBack: true), Is.EqualTo(towardsOne), "a sweep read back from sweep.json suggests as the one held");
    }

    [Test]
    public void An_extended_sweeps_pruner_ranks_new_trials_against_the_earlier_ones()
    {
        var sweep = NewSweep(6, pruner: "median", steps: 3);
        for (var i = 0; i < 6; i++) Run(sweep, _ => 0.9, steps: 3);
        bool PrunesALowFirstEpoch(ArchivedSweep s)
        {
            Extend(s, 1);
            var (index, planned) = s.State.NextToStart();
            s.Apply(planned!);
            s.Apply(new TrialStarted("s1", index, 1, "w", "node", "cpu", [], At));
            s.Apply(new TrialProgressed("s1", index, 1, new EpochPoint(1, null, 0.1, 0.1)));
            return s.State.ShouldPrune(index);
        }
        Assert.That(PrunesALowFirstEpoch(Resumed(sweep)), Is.True, "the earlier curves come back from sweep.json");
        Assert.That(PrunesALowFirstEpoch(Resumed(sweep, withCurves: false)), Is.False,
            "a sweep.json written before curves were kept gives none: the median pruner waits for five trials of its own");
    }

    [Test]
    public void A_cancelled_sweep_goes_on_after_its_last_planned_trial()
    {
        var sweep = NewSweep(10);
        Run(sweep, _ => 0.5);
        Run(sweep, _ => 0.6);
        sweep.Apply(new SweepCancelled("s1", At));
        Assert.That(sweep.State.Status, Is.EqualTo(SweepStatus.Cancelled));
        Assert.That(Extend(sweep, 3).TotalTrials, Is.EqualTo(5), "two planned and three more; the eight never planned are not run");
        Assert.That(Run(sweep, _ => 0.7), Is.EqualTo(2));
        var copy = ArchivedSweep.FromMemento(sweep.ToMemento(), sweep.State.Spec);
        Assert.That((copy.State.TotalTrials, copy.State.PendingCount), Is.EqualTo((5, 2)), "the snapshot keeps the new total");
    }

    [Test]
    public void Extending_is_refused_for_a_confirmation_a_sweep_being_cancelled_and_no_trials()
    {
        var yaml = Experiments.Sleep(2);
        var confirmation = new ArchivedSweep(new SweepState(Submitted(yaml, 2, new ConfirmationPlan("s0", 2, [new ConfirmedConfiguration(0, 0.5, ParamValue.Map.Empty)])), Specs.Parse(yaml)));
        Assert.That(confirmation.State.DecideExtend(1, At).Error, Is.EqualTo("sweep s1 is a confirmation: it runs its plan only; sweep confirm starts another"));
        var sweep = NewSweep(3);
        Assert.That(sweep.State.DecideExtend(0, At).Error, Is.EqualTo("--trials adds at least one trial (got 0)"));
        var (index, planned) = sweep.State.NextToStart();
        sweep.Apply(planned!);
        sweep.Apply(new TrialStarted("s1", index, 1, "w", "node", "cpu", [], At));
        sweep.Apply(new SweepCancelled("s1", At));
        Assert.That(sweep.State.DecideExtend(1, At).Error, Is.EqualTo("sweep s1 is being cancelled: extend it once it has ended"));
    }

    [Test]
    public void A_sweep_json_written_before_curves_were_kept_reads_back()
    {
        var folder = Directory.CreateTempSubdirectory("old-run-").FullName;
        try
        {
            // A trial of sweep.json as release v1 up to this change wrote it: no "curve".
            File.WriteAllText(Path.Combine(folder, "sweep.json"), """
                {"id": "1a2b3c4d", "name": "sleepy", "trials": [
                  {"index": 1, "status": "completed", "attempt": 1, "seed": 5, "params": {"value": 0.25}, "metrics": {"value": 0.25}, "epoch": 1,
                   "node": "akka.tcp://sweep@127.0.0.1:4053", "device": "cpu", "started_at": "2026-11-01T10:00:00+00:00", "duration_seconds": 1.5, "reason": null, "artifacts": null},
                  {"index": 0, "status": "failed", "attempt": 2, "seed": 4, "params": {"value": 0.75}, "metrics": {}, "epoch": null,
                   "node": null, "device": null, "duration_seconds": null, "reason": "boom", "failed_attempts": ["attempt 1: lost"], "artifacts": null}]}
                """);
            var trials = RunFolders.ReadTrials(folder);
            Assert.That(trials.Select(t => (t.Index, t.Status, t.Curve)), Is.EqualTo(new[] { (0, TrialStatus.Failed, (ImmutableArray<EpochPoint>?)null), (1, TrialStatus.Completed, null) }));
            var sweep = ArchivedSweep.FromMemento(SweepState.EndedAsRecorded(Submitted(Experiments.Sleep(2), 2), trials, 2), Specs.Parse(Experiments.Sleep(2)));
            Assert.That((sweep.State.Status, sweep.State.BestValue), Is.EqualTo((SweepStatus.Completed, (double?)0.25)));
            Assert.That(sweep.FindTrial(0)!.FailedAttempts, Is.EqualTo(new[] { "attempt 1: lost" }));
            var edited = Assert.Throws<IOException>(() => SweepState.EndedAsRecorded(Submitted(Experiments.Sleep(2), 2),
                trials.Select(t => t.Index == 1 ? t with { Status = TrialStatus.Running } : t), 2))!;
            Assert.That(edited.Message, Does.Contain("sweep.json: trial 1 is recorded as running"), "a file changed by hand is refused, not rebuilt as a sweep with a trial nobody runs");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
