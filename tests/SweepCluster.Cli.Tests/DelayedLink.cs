using System.Runtime.InteropServices;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// What tc netem would do, in user space (this machine's kernel has no netem): a TUN device whose packets this process
/// reads, drops with probability <c>loss</c>, and writes back after <c>delay</c>. <see cref="TestHosts.Delay"/> routes a
/// host's outgoing packets through it; the kernel then forwards them on as if they had just arrived.
/// </summary>
internal sealed partial class DelayedLink : IDisposable
{
    private const int ReadWrite = 2, NonBlocking = 0x800;
    private const ulong TunSetInterface = 0x400454ca;
    private const short Tun = 0x0001, NoPacketInfo = 0x1000, PollIn = 0x0001;

    private readonly int _fd;
    private readonly TimeSpan _delay;
    private readonly double _loss;
    private readonly Random _random;
    private readonly PriorityQueue<byte[], long> _due = new();
    private readonly Thread _reader, _writer;
    private volatile bool _stopping;

    public DelayedLink(string name, TimeSpan delay, double loss, int seed)
    {
        (_delay, _loss, _random) = (delay, loss, new Random(seed));
        _fd = Open("/dev/net/tun", ReadWrite | NonBlocking);
        if (_fd < 0) Assert.Fail($"cannot open /dev/net/tun (errno {Marshal.GetLastPInvokeError()}): the delayed link needs root");
        var request = new byte[40]; // struct ifreq: the name, then the flags
        System.Text.Encoding.ASCII.GetBytes(name, request);
        BitConverter.GetBytes((short)(Tun | NoPacketInfo)).CopyTo(request, 16);
        if (Control(_fd, TunSetInterface, request) < 0) Assert.Fail($"cannot make the TUN device {name} (errno {Marshal.GetLastPInvokeError()})");
        Name = name;
        _reader = new Thread(Read) { IsBackground = true, Name = $"{name} in" };
        _writer = new Thread(Write) { IsBackground = true, Name = $"{name} out" };
        _reader.Start();
        _writer.Start();
    }

    public string Name { get; }

    /// <summary>Packets taken in and packets dropped on purpose, to show the link did its work.</summary>
    public (long Packets, long Dropped) Counts => (Interlocked.Read(ref _packets), Interlocked.Read(ref _dropped));

    private long _packets, _dropped;

    private void Read()
    {
        var buffer = new byte[65536];
        var poll = new PollFd[] { new() { Fd = _fd, Events = PollIn } };
        while (!_stopping)
        {
            if (Poll(poll, 1, 200) <= 0) continue;
            var length = (int)ReadFd(_fd, buffer, buffer.Length);
            if (length <= 0) continue;
            Interlocked.Increment(ref _packets);
            if (_random.NextDouble() < _loss)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }
            lock (_due)
            {
                _due.Enqueue(buffer[..length], Environment.TickCount64 + (long)_delay.TotalMilliseconds);
                Monitor.Pulse(_due);
            }
        }
    }

    private void Write()
    {
        while (!_stopping)
        {
            byte[] packet;
            lock (_due)
            {
                if (!_due.TryPeek(out packet!, out var due))
                {
                    Monitor.Wait(_due, 200);
                    continue;
                }
                var wait = due - Environment.TickCount64;
                if (wait > 0)
                {
                    Monitor.Wait(_due, (int)wait);
                    continue;
                }
                _due.Dequeue();
            }
            WriteFd(_fd, packet, packet.Length);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        lock (_due) Monitor.PulseAll(_due);
        _reader.Join();
        _writer.Join();
        Close(_fd);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Returned;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Control(int fd, ulong request, byte[] argument);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll([In, Out] PollFd[] fds, ulong count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadFd(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteFd(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
