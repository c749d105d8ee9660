using System.Collections.Concurrent;

namespace SweepCluster.Cluster.Worker;

/// <summary>
/// Threads for trial attempts, off the shared thread pool (an attempt blocks its thread for as long as it trains). A thread
/// that finished an attempt waits a while for the next before it ends: with short trials, starting a thread per attempt
/// cost a worker a noticeable share of its CPU.
/// </summary>
internal static class TrialThreads
{
    private static readonly TimeSpan KeptIdle = TimeSpan.FromSeconds(30);
    private static readonly BlockingCollection<Action> Work = new(new ConcurrentQueue<Action>());
    /// <summary>Threads waiting for work less the work queued for them: never negative, so every attempt queued has a thread.</summary>
    private static int _idle;

    public static void Run(Action attempt)
    {
        if (!TakeOneIdle()) new Thread(Serve) { IsBackground = true, Name = "trial" }.Start();
        Work.Add(attempt);
    }

    private static void Serve()
    {
        while (true)
        {
            if (Work.TryTake(out var attempt, KeptIdle))
            {
                attempt();
                Interlocked.Increment(ref _idle);
            }
            // Idle too long: the thread ends unless an attempt was counted on it (then that attempt is on its way).
            else if (TakeOneIdle()) return;
        }
    }

    private static bool TakeOneIdle()
    {
        var idle = Volatile.Read(ref _idle);
        while (idle > 0)
        {
            var seen = Interlocked.CompareExchange(ref _idle, idle - 1, idle);
            if (seen == idle) return true;
            idle = seen;
        }
        return false;
    }
}
