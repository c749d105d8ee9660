using System.Collections.Concurrent;
using SweepCluster.Cluster.Worker;

namespace SweepCluster.Cluster.Tests;

public class TrialThreadsTests
{
    [Test]
    public void Attempts_started_together_all_run_at_once_and_attempts_one_after_another_reuse_threads()
    {
        // Each of 40 attempts waits until all 40 are running: one left queued behind a busy thread would hold them all.
        using var together = new CountdownEvent(40);
        using var allRan = new CountdownEvent(40);
        for (var i = 0; i < 40; i++)
            TrialThreads.Run(() =>
            {
                together.Signal();
                together.Wait(TimeSpan.FromSeconds(30));
                allRan.Signal();
            });
        Assert.That(allRan.Wait(TimeSpan.FromSeconds(60)), Is.True, "every attempt started while the others were still running");
        Assert.That(together.IsSet, Is.True);

        var threads = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            using var done = new ManualResetEventSlim();
            TrialThreads.Run(() =>
            {
                lock (threads) threads.Add(Environment.CurrentManagedThreadId);
                done.Set();
            });
            Assert.That(done.Wait(TimeSpan.FromSeconds(30)), Is.True);
        }
        Assert.That(threads.Count, Is.LessThan(100), "200 attempts in turn ran on threads that earlier attempts had used");
    }

    [Test]
    public void Every_attempt_runs_once_on_a_thread_of_its_own_and_idle_threads_take_the_next_ones()
    {
        const int Slots = 8, Rounds = 200;
        var ran = new ConcurrentDictionary<int, int>();
        var threads = new ConcurrentDictionary<int, byte>();
        using var ended = new CountdownEvent(Slots * Rounds);
        // Slots producers each queue its next attempt when the one before ended, as a worker's slots do.
        void Queue(int slot, int round) => TrialThreads.Run(() =>
        {
            threads.TryAdd(Environment.CurrentManagedThreadId, 0);
            ran.AddOrUpdate(slot * Rounds + round, 1, (_, n) => n + 1);
            ended.Signal();
            if (round + 1 < Rounds) Queue(slot, round + 1);
        });
        for (var slot = 0; slot < Slots; slot++) Queue(slot, 0);
        Assert.That(ended.Wait(TimeSpan.FromSeconds(30)), Is.True, "every attempt ran");
        Assert.That(ran.Count, Is.EqualTo(Slots * Rounds));
        Assert.That(ran.Values.Distinct(), Is.EqualTo(new[] { 1 }), "none twice");
        Assert.That(threads.Count, Is.LessThan(Slots * Rounds / 10), "threads are kept and reused, not one per attempt");
    }
}
