using System.Text.RegularExpressions;
using SweepCluster.Node.Endpoint;
using SweepCluster.Node.Hosting;

namespace SweepCluster.Cli.Remote;

/// <summary>
/// pbm's shape: <c>sweepctl [host:port] palette command [switches]</c>. A first word like host:port, or a palette
/// command, goes to a node (default 127.0.0.1:9110); <c>node start</c> and the other commands run here.
/// <c>slurm:SHARED</c> names the node of a SLURM allocation by its shared folder, where that node wrote its address and token.
/// </summary>
/// <param name="Token">The endpoint's token when the address came with one; else the client sends <see cref="EndpointOptions.TokenVariable"/>.</param>
internal sealed partial record RemoteInvocation(string Address, string[] Words, string? Token = null)
{
    public const string DefaultAddress = "127.0.0.1:9110";
    private const string SlurmPrefix = "slurm:";

    /// <summary>The invocation, or null for a command that runs here; a <see cref="FormatException"/> when a <c>slurm:</c> folder names no running node.</summary>
    public static RemoteInvocation? TryParse(string[] args)
    {
        if (args.Length > 0 && args[0].StartsWith(SlurmPrefix, StringComparison.Ordinal)) return InAllocation(args[0][SlurmPrefix.Length..], args[1..]);
        if (args.Length > 0 && HostPort().IsMatch(args[0])) return new RemoteInvocation(args[0], args[1..]);
        if (args.Length > 0 && args[0] is "sweep" or "cluster" or "model") return new RemoteInvocation(DefaultAddress, args);
        if (args is ["node", var command, ..] && Palettes.Find("node", command) is not null) return new RemoteInvocation(DefaultAddress, args);
        return null;
    }

    private static RemoteInvocation InAllocation(string shared, string[] words)
    {
        var endpoint = Path.Combine(shared, SlurmAllocation.EndpointFileName);
        if (!File.Exists(endpoint))
            throw new FormatException($"{SlurmPrefix}{shared}: no node serves commands for this folder ({endpoint} is missing): is the allocation running (squeue), and is this the folder its nodes were given with --shared?");
        var address = File.ReadAllText(endpoint).Trim();
        if (!HostPort().IsMatch(address)) throw new FormatException($"{endpoint}: '{address}' is not host:port");
        return new RemoteInvocation(address, words, SlurmAllocation.Token(shared));
    }

    [GeneratedRegex(@"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-]+):\d{1,5}$")]
    private static partial Regex HostPort();
}
