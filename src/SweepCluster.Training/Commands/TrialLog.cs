using System.Text;

namespace SweepCluster.Training.Commands;

/// <summary>
/// A program's standard output or error kept in the trial's folder (<c>stdout.log</c>, <c>stderr.log</c>) up to a size, with the
/// last lines in memory for the reason of a failure. Past the size the file says how much was left out, and the tail goes on.
/// </summary>
internal sealed class TrialLog(string path, long maxBytes = TrialLog.DefaultMaxBytes) : IDisposable
{
    public const long DefaultMaxBytes = 8L << 20;
    private const int TailLines = 20;
    private readonly StreamWriter _file = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    private readonly Queue<string> _tail = new();
    private readonly Lock _gate = new();
    private long _written;
    private long _leftOut;

    public void WriteLine(string line)
    {
        lock (_gate)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLines) _tail.Dequeue();
            var bytes = Encoding.UTF8.GetByteCount(line) + 1;
            if (_written + bytes > maxBytes)
            {
                _leftOut += bytes;
                return;
            }
            _written += bytes;
            _file.WriteLine(line);
        }
    }

    /// <summary>The last lines written, at most <paramref name="count"/>.</summary>
    public IReadOnlyList<string> Tail(int count)
    {
        lock (_gate) return [.. _tail.Skip(Math.Max(0, _tail.Count - count))];
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_leftOut > 0) _file.WriteLine($"[sweepctl: {_leftOut} more bytes of output were left out: the log keeps {maxBytes} bytes]");
            _file.Dispose();
        }
    }
}
