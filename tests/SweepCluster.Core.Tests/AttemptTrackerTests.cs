using SweepCluster.Core.Sweeps;

namespace SweepCluster.Core.Tests;

public class AttemptTrackerTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;
    private static readonly AttemptId A = new("s1", 0, 1), B = new("s1", 1, 2), C = new("s2", 0, 1);

    [Test]
    public void A_heartbeat_confirms_the_recovered_attempts_it_lists_and_gives_up_those_its_worker_no_longer_runs()
    {
        var tracker = new AttemptTracker();
        tracker.Recovered(A, "w1", T0);
        tracker.Recovered(B, "w1", T0);
        tracker.Recovered(C, "w2", T0);
        var gone = tracker.Reported("w1", [(A, 0.5)], T0.AddSeconds(1));
        Assert.That(gone, Is.EqualTo(new[] { B }), "w1 runs A but not B; C is w2's to report");
        Assert.That(tracker.IsConfirmed(A), Is.True);
        Assert.That(tracker.IsConfirmed(C), Is.False);
        Assert.That(tracker.Unclaimed(T0.AddSeconds(10), TimeSpan.FromSeconds(15)), Is.Empty, "within the grace period");
        Assert.That(tracker.Unclaimed(T0.AddSeconds(16), TimeSpan.FromSeconds(15)), Is.EquivalentTo(new[] { B, C }));
    }

    [Test]
    public void An_attempt_stalls_when_neither_an_epoch_nor_a_trained_batch_comes_for_the_stall_timeout()
    {
        var tracker = new AttemptTracker();
        tracker.Started(A, "w1", T0);
        tracker.Started(B, "w1", T0);
        var timeout = TimeSpan.FromSeconds(60);
        tracker.Alive(A, T0.AddSeconds(50)); // an epoch report
        tracker.Reported("w1", [(B, 45)], T0.AddSeconds(50)); // B trained its last batch 45 s before the heartbeat
        Assert.That(tracker.Stalled(T0.AddSeconds(70), _ => timeout), Is.EqualTo(new[] { B }));
        tracker.Reported("w1", [(B, 0.1)], T0.AddSeconds(71));
        Assert.That(tracker.Stalled(T0.AddSeconds(72), _ => timeout), Is.Empty, "a heartbeat with a fresh batch counts as life");
        tracker.Forget(A);
        Assert.That(tracker.Stalled(T0.AddSeconds(500), _ => timeout), Is.EqualTo(new[] { B }), "a forgotten attempt never stalls");
    }

    [Test]
    public void Recovered_attempts_are_not_called_stalled_before_their_worker_reports_them()
    {
        var tracker = new AttemptTracker();
        tracker.Recovered(A, "w1", T0);
        Assert.That(tracker.Stalled(T0.AddHours(1), _ => TimeSpan.FromSeconds(1)), Is.Empty);
    }
}
