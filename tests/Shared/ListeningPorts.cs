using System.Globalization;

namespace SweepCluster.Testing;

/// <summary>
/// The TCP ports a process listens on, read from /proc: a server started on port 0 (the system picks a free one) is
/// asked afterwards which it got, instead of a test picking a free port, releasing it and hoping nobody takes it.
/// </summary>
internal static class ListeningPorts
{
    private const string Listen = "0A";

    public static IReadOnlyList<int> Of(int pid)
    {
        var sockets = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            var target = new FileInfo(fd).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal)) sockets.Add(target[8..^1]);
        }
        // Each line: sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
        return [.. new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists).SelectMany(table => File.ReadLines(table).Skip(1))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[3] == Listen && sockets.Contains(f[9]))
            .Select(f => int.Parse(f[1][(f[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            .Distinct()];
    }
}
