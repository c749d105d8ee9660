using System.Collections.Immutable;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Core.Tests;

public class SweepRecoveryTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    private static ArchivedSweep NewSweep(int trials, string extra = "", string sampler = "random", string? runDirectory = null)
    {
        var yaml = Experiments.Sleep(trials, extra: extra).Replace("sampler: random", $"sampler: {sampler}");
        var spec = ExperimentSpecParser.Parse(yaml, "sleep.yml").Spec!;
        return new ArchivedSweep(new SweepState(new SweepSubmitted("s1", "sleepy", yaml, "sleep.yml", trials, 7, null, false, runDirectory ?? "/runs/s1", At), spec),
            runDirectory is null ? TrialArchive.InMemory() : TrialArchive.InFile(runDirectory));
    }

    /// <summary>Starts the next trial and returns the events that did it, so a test can replay them elsewhere.</summary>
    private static (int Index, List<ISweepEvent> Events) Start(ArchivedSweep sweep)
    {
        var events = new List<ISweepEvent>();
        var (index, planned) = sweep.State.NextToStart();
        if (planned is not null) events.Add(planned);
        var attempt = (planned is null ? sweep.State.Trial(index).Attempt : 0) + 1;
        events.Add(new TrialStarted("s1", index, attempt, "akka.tcp://sweep@127.0.0.1:1/user/sweep-worker", "node", "cuda:1", [1], At));
        foreach (var e in events) sweep.Apply(e);
        return (index, events);
    }

    private static ISweepEvent Fail(ArchivedSweep sweep, int index, string reason, bool retryable, int? divergedAt = null)
    {
        var decision = sweep.State.DecideFailure(index, sweep.State.Trial(index).Attempt, reason, retryable, divergedAt, 1, At);
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
        Assert.That(sweep.State.Status, Is.EqualTo(SweepStatus.Completed), "the sweep goes on and ends with the failure counted");
    }

    [Test]
    public void A_sweep_whose_first_trials_all_fail_alike_says_so_and_a_snapshot_keeps_why_it_stopped()
    {
        var sweep = NewSweep(20);
        for (var i = 0; i < SweepState.AlikeFailuresToStop; i++)
        {
            Assert.That(sweep.State.FailingAlike, Is.Null, $"{i} failures are not yet a pattern");
            Fail(sweep, Start(sweep).Index, "normalize: the trial has no value for it", retryable: false);
        }
        Assert.That(sweep.State.FailingAlike, Is.EqualTo("its first 3 trials all failed the same way, so the others would too: normalize: the trial has no value for it"));
        sweep.Apply(new SweepCancelled("s1", At, sweep.State.FailingAlike));
        Assert.That((sweep.State.IsEnded, sweep.State.PendingCount, sweep.State.FailingAlike), Is.EqualTo((true, 0, (string?)null)), "nothing else runs");
        Assert.That(sweep.State.Overview().Header.StoppedBecause, Does.StartWith("its first 3 trials"));
        using var restored = ArchivedSweep.FromMemento(sweep.ToMemento(), sweep.State.Spec);
        Assert.That((restored.State.StoppedBecause, restored.Snapshot().StoppedBecause), Is.EqualTo((sweep.State.StoppedBecause, sweep.State.StoppedBecause)));
        Assert.That(restored.Snapshot().NoneCompleted(), Does.StartWith("sweep s1 stopped: its first 3 trials"));
    }

    [TestCase("a completed trial")]
    [TestCase("another reason")]
    [TestCase("a retried failure")]
    public void A_sweep_whose_first_trials_did_not_all_fail_alike_goes_on(string among)
    {
        var sweep = NewSweep(20, extra: "max_failures: 1");
        var first = Start(sweep).Index;
        if (among == "a completed trial") sweep.Apply(new TrialCompleted("s1", first, 1, ImmutableDictionary<string, double>.Empty.Add("value", 0.5), 1, null, At));
        else if (among == "another reason") Fail(sweep, first, "x1: needs a number", retryable: false);
        else
        {
            Fail(sweep, first, "worker lost", retryable: true);
            Start(sweep);
            Fail(sweep, first, "bad", retryable: false);
        }
        for (var i = 0; i < 4; i++) Fail(sweep, Start(sweep).Index, "bad", retryable: false);
        Assert.That(sweep.State.FailingAlike, Is.Null);
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
        Assert.That(sweep.State.Status, Is.EqualTo(SweepStatus.Cancelled));
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
            original.Apply(new TrialProgressed("s1", index, original.State.Trial(index).Attempt, new EpochPoint(1, 0.5, values[i], 1)));
            if (i == 2) Fail(original, index, "worker lost", retryable: true); // waits to start again
            else if (i == 4) Fail(original, index, "bad config", retryable: false);
            else original.Apply(new TrialCompleted("s1", index, original.State.Trial(index).Attempt, ImmutableDictionary<string, double>.Empty.Add("value", values[i]), 1, null, At));
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
            using var moved = ArchivedSweep.FromMemento(memento, original.State.Spec, () => TrialArchive.InFile(folder));
            Assert.That(SweepJson.Serialize(new SweepDocument(moved.Snapshot())), Is.EqualTo(SweepJson.Serialize(new SweepDocument(original.Snapshot()))));
            Assert.That(moved.ToMemento().Trials, Has.Length.EqualTo(2));
        }
        using var restored = ArchivedSweep.FromMemento(memento, original.State.Spec);
        Assert.That(SweepJson.Serialize(new SweepDocument(restored.Snapshot())), Is.EqualTo(SweepJson.Serialize(new SweepDocument(original.Snapshot()))));
        Assert.That((SweepJson.Serialize(restored.State.Overview()), restored.State.Troubled().Count), Is.EqualTo((SweepJson.Serialize(original.State.Overview()), original.State.Troubled().Count)));
        Assert.That((restored.State.BestValue, restored.State.PendingCount, restored.State.Running.Count), Is.EqualTo((original.State.BestValue, original.State.PendingCount, original.State.Running.Count)));
        Assert.That(restored.State.Running.Select(t => (t.Worker, t.Gpus.Single())), Is.EqualTo(original.State.Running.Select(t => (t.Worker, t.Gpus.Single()))));

        var next = Start(original).Events.OfType<TrialPlanned>().Single();
        var nextRestored = Start(restored).Events.OfType<TrialPlanned>().Single();
        Assert.That(nextRestored.Params, Is.EqualTo(next.Params), "the sampler sees the same finished trials, so it suggests the same");
    }
}
