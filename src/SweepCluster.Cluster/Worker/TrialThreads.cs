namespace SweepCluster.Cluster.Worker;

/// <summary>
/// Threads for trial attempts, off the shared thread pool (an attempt blocks its thread for as long as it trains). A thread
/// that finished an attempt waits a while for the next before it ends: with short trials, starting a thread per attempt
/// cost a worker a noticeable share of its CPU. The wait blocks at once (a monitor), where a semaphore's spinning before it
/// blocks took 40% of a 2-core node running zero-second trials on 8 slots.
/// </summary>
internal static class TrialThreads
{
    private static readonly TimeSpan KeptIdle = TimeSpan.FromSeconds(30);
    private static readonly Queue<Action> Work = new();

    /// <summary>Threads waiting for an attempt (guarded by <see cref="Work"/>): an attempt is queued only while more wait than are queued.</summary>
    private static int _waiting;

    public static void Run(Action attempt)
    {
        lock (Work)
        {
            if (_waiting > Work.Count)
            {
                Work.Enqueue(attempt);
                Monitor.Pulse(Work);
                return;
            }
        }
        new Thread(() => Serve(attempt)) { IsBackground = true, Name = "trial" }.Start();
    }

    private static void Serve(Action first)
    {
        for (var attempt = first; attempt is not null; attempt = Next()) attempt();
    }

    /// <summary>The next queued attempt, or null when none came for <see cref="KeptIdle"/> (the thread then ends).</summary>
    private static Action? Next()
    {
        lock (Work)
        {
            _waiting++;
            try
            {
                while (Work.Count == 0)
                    if (!Monitor.Wait(Work, KeptIdle) && Work.Count == 0) return null;
                return Work.Dequeue();
            }
            finally
            {
                _waiting--;
            }
        }
    }
}
