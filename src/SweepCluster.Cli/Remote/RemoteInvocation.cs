using System.Text.RegularExpressions;
using SweepCluster.Node.Endpoint;

namespace SweepCluster.Cli.Remote;

/// <summary>
/// pbm's shape: <c>sweepctl [host:port] palette command [switches]</c>. A first word like host:port, or a palette
/// command, goes to a node (default 127.0.0.1:9110); <c>node start</c> and the other commands run here.
/// </summary>
internal sealed partial record RemoteInvocation(string Address, string[] Words)
{
    public const string DefaultAddress = "127.0.0.1:9110";

    public static RemoteInvocation? TryParse(string[] args)
    {
        if (args.Length > 0 && HostPort().IsMatch(args[0])) return new RemoteInvocation(args[0], args[1..]);
        if (args.Length > 0 && args[0] is "sweep" or "cluster") return new RemoteInvocation(DefaultAddress, args);
        if (args is ["node", var command, ..] && Palettes.Find("node", command) is not null) return new RemoteInvocation(DefaultAddress, args);
        return null;
    }

    [GeneratedRegex(@"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-]+):\d{1,5}$")]
    private static partial Regex HostPort();
}
