using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// Hosts for multi-host tests: network namespaces, each with its own address on one bridge (a veth pair per host), made
/// with iproute2 as root and removed on disposal. A node started on a host sees only its own network: it binds and
/// advertises the host's address, and reaches the others through the bridge, which the test process is on too.
/// Names carry the test process's id, so that what a killed test run left behind is recognised and removed, and a letter
/// of their own: the kernel removes a deleted namespace's links in the background, so the next hosts take other names.
/// </summary>
internal sealed partial class TestHosts : IDisposable
{
    private static int _made;
    private readonly string _prefix;
    private readonly string _subnet;
    private readonly List<Host> _hosts = [];

    /// <param name="Namespace">The host's network namespace.</param>
    /// <param name="Address">Its address on the bridge.</param>
    /// <param name="Link">Its end of the veth pair on the bridge's side: taking it down cuts the host off.</param>
    public sealed record Host(string Name, string Namespace, string Address, string Link);

    public TestHosts(int count)
    {
        RemoveLeftovers();
        var made = Interlocked.Increment(ref _made);
        _prefix = $"sct{Environment.ProcessId}{(char)('a' + made % 26)}";
        _subnet = $"10.{200 + Environment.ProcessId % 50}.{(Environment.ProcessId / 50 + made) % 250}";
        try
        {
            Ip($"link add {Bridge} type bridge");
            Ip($"addr add {_subnet}.254/24 dev {Bridge}");
            Ip($"link set {Bridge} up");
            for (var i = 1; i <= count; i++)
            {
                var host = new Host($"h{i}", $"{_prefix}-h{i}", $"{_subnet}.{i}", $"{_prefix}v{i}");
                Ip($"netns add {host.Namespace}");
                _hosts.Add(host);
                Ip($"link add {host.Link} type veth peer name eth0 netns {host.Namespace}");
                Ip($"link set {host.Link} master {Bridge} up");
                InHost(host, $"addr add {host.Address}/24 dev eth0");
                InHost(host, "link set eth0 up");
                InHost(host, "link set lo up");
            }
        }
        catch
        {
            Dispose(); // nothing half made is left behind
            throw;
        }
    }

    public Host this[int number] => _hosts[number - 1];

    private string Bridge => _prefix;

    /// <summary>Link down: the host neither sends nor receives, as when its cable is pulled.</summary>
    public void CutOff(Host host) => Ip($"link set {host.Link} down");

    public void Reconnect(Host host) => Ip($"link set {host.Link} up");

    /// <summary>The two sides stop reaching each other (blackhole routes on each host); both still reach the test process.</summary>
    public void Partition(IReadOnlyList<Host> side, IReadOnlyList<Host> other)
    {
        foreach (var (from, to) in side.SelectMany(a => other.Select(b => (a, b))))
        {
            InHost(from, $"route add blackhole {to.Address}/32");
            InHost(to, $"route add blackhole {from.Address}/32");
        }
    }

    /// <summary>
    /// A slow link: the host's traffic both ways passes a token bucket of <paramref name="kilobits"/> kbit/s that queues up
    /// to <paramref name="queueMilliseconds"/> ms (the kernel here has no netem, so delay and loss cannot be added by tc).
    /// </summary>
    public void Throttle(Host host, int kilobits, int queueMilliseconds)
    {
        var bucket = $"root tbf rate {kilobits}kbit burst 4kb latency {queueMilliseconds}ms";
        Run("tc", $"qdisc add dev {host.Link} {bucket}");
        Run("ip", $"netns exec {host.Namespace} tc qdisc add dev eth0 {bucket}");
    }

    private void InHost(Host host, string arguments) => Run("ip", $"-n {host.Namespace} {arguments}");

    private static void Ip(string arguments) => Run("ip", arguments);

    private static string Run(string program, string arguments, bool check = true)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (check && process.ExitCode != 0) Assert.Fail($"{program} {arguments} failed ({process.ExitCode}): {error.Trim()} (the namespace tests need root and iproute2)");
        return output;
    }

    /// <summary>Namespaces and bridges of test runs whose process is gone.</summary>
    private static void RemoveLeftovers()
    {
        static bool Dead(string pid) => !Directory.Exists($"/proc/{pid}");
        foreach (Match m in LeftoverNamespace().Matches(Run("ip", "netns list")))
            if (Dead(m.Groups[1].Value)) Run("ip", $"netns del {m.Value}", check: false);
        foreach (Match m in LeftoverBridge().Matches(Run("ip", "-o link show type bridge")))
            if (Dead(m.Groups[1].Value)) Run("ip", $"link del {m.Value}", check: false);
    }

    [GeneratedRegex(@"(?<=^|\n)sct(\d+)[a-z]-h\d+")]
    private static partial Regex LeftoverNamespace();

    [GeneratedRegex(@"(?<=: )sct(\d+)[a-z](?=:)")]
    private static partial Regex LeftoverBridge();

    public void Dispose()
    {
        foreach (var host in _hosts) Run("ip", $"netns del {host.Namespace}", check: false); // takes its veth pair with it
        _hosts.Clear();
        Run("ip", $"link del {Bridge}", check: false);
    }
}
