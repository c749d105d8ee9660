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
    private readonly List<DelayedLink> _links = [];

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
    /// A slow, lossy link: every packet the host sends waits <paramref name="delay"/> and one in 1/<paramref name="loss"/>
    /// is lost. The host's own packets are routed into a <see cref="DelayedLink"/> (rule: from this host, table 100), which
    /// writes them back after the delay; the host then forwards them out of its interface (it accepts its own address as
    /// the source of a packet arriving from the link). What the host receives is not delayed: each round trip is.
    /// </summary>
    public DelayedLink Delay(Host host, TimeSpan delay, double loss, int seed)
    {
        var link = new DelayedLink($"{_prefix}t{host.Name[1..]}", delay, loss, seed);
        _links.Add(link);
        Ip($"link set {link.Name} netns {host.Namespace}");
        InHost(host, $"link set {link.Name} up");
        Run("ip", $"netns exec {host.Namespace} sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 "
            + $"net.ipv4.conf.{link.Name}.rp_filter=0 net.ipv4.conf.{link.Name}.accept_local=1");
        InHost(host, $"route add {_subnet}.0/24 dev {link.Name} src {host.Address} table 100");
        InHost(host, "rule add pref 100 iif lo lookup 100");
        return link;
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

    /// <summary>Namespaces, bridges and links of test runs whose process is gone.</summary>
    private static void RemoveLeftovers()
    {
        static bool Dead(string pid) => !Directory.Exists($"/proc/{pid}");
        foreach (Match m in LeftoverNamespace().Matches(Run("ip", "netns list")))
            if (Dead(m.Groups[1].Value)) Run("ip", $"netns del {m.Value}", check: false);
        foreach (Match m in LeftoverLink().Matches(Run("ip", "-o link show")))
            if (Dead(m.Groups[1].Value)) Run("ip", $"link del {m.Value}", check: false);
    }

    [GeneratedRegex(@"(?<=^|\n)sct(\d+)[a-z]-h\d+")]
    private static partial Regex LeftoverNamespace();

    /// <summary>A bridge (<c>sct123a</c>) or the bridge's end of a host's veth pair (<c>sct123av2@if2</c>).</summary>
    [GeneratedRegex(@"(?<=: )sct(\d+)[a-z](v\d+)?(?=[:@])")]
    private static partial Regex LeftoverLink();

    public void Dispose()
    {
        foreach (var link in _links) link.Dispose();
        _links.Clear();
        foreach (var host in _hosts)
        {
            // The pair goes at once; a namespace lives on while the kernel still holds closing connections of its killed processes.
            Run("ip", $"link del {host.Link}", check: false);
            Run("ip", $"netns del {host.Namespace}", check: false);
        }
        _hosts.Clear();
        Run("ip", $"link del {Bridge}", check: false);
    }
}
