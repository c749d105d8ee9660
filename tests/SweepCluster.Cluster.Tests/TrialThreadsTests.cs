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
}
