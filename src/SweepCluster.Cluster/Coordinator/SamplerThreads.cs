using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace SweepCluster.Cluster.Coordinator;

/// <summary>
/// Threads on which samplers choose trials' values (TPE, GP), at a lower CPU priority than the node's other threads: on a busy
/// node a GP's second of fitting yields to starting and recording other sweeps' trials, which their slots wait for, and takes the
/// CPU they leave. Questions are answered in the order asked.
/// </summary>
internal sealed partial class SamplerThreads : IDisposable
{
    /// <summary>The nice value the threads run at (0 is the node's own; 19 the lowest).</summary>
    private const int Niceness = 10;

    private readonly BlockingCollection<Action> _questions = [];

    public SamplerThreads(int count)
    {
        for (var i = 0; i < count; i++) new Thread(Answer) { IsBackground = true, Name = $"sampler-{i}" }.Start();
    }

    public Task<T> Run<T>(Func<T> question)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _questions.Add(() =>
        {
            try
            {
                answer.SetResult(question());
            }
            catch (Exception e)
            {
                answer.SetException(e);
            }
        });
        return answer.Task;
    }

    private void Answer()
    {
        // On Linux the nice value is per thread (who = 0 is the calling one); elsewhere .NET's priority does the same.
        if (OperatingSystem.IsLinux()) SetPriority(0, 0, Niceness);
        else Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
        foreach (var question in _questions.GetConsumingEnumerable()) question();
    }

    /// <summary>Questions already asked are still answered; the threads then end.</summary>
    public void Dispose() => _questions.CompleteAdding();

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);
}
