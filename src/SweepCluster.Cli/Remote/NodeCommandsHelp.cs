using SweepCluster.Node.Endpoint;

namespace SweepCluster.Cli.Remote;

/// <summary>
/// The commands a node of this version serves, for help given without a node: <c>sweepctl --help</c> lists them after the local
/// ones, and a node's command asked for <c>--help</c> while no node answers is described from them.
/// </summary>
internal static class NodeCommandsHelp
{
    public static bool AsksForHelp(IEnumerable<string> words) => words.Any(w => w is "-h" or "--help" or "-?");

    /// <summary>A section of <c>sweepctl --help</c>: every palette command, as a node of this version describes it.</summary>
    public static void Write(TextWriter output)
    {
        output.WriteLine($"Commands served by a node: sweepctl [HOST:PORT] PALETTE COMMAND [switches] (default {RemoteInvocation.DefaultAddress}; add --help for a command's switches):");
        var rows = Palettes.All.SelectMany(p => p.Commands.Select(c => (Name: $"{p.Name} {c.Name}", c.Description))).ToList();
        var width = rows.Max(r => r.Name.Length) + 2;
        foreach (var (name, description) in rows) output.WriteLine($"  {name.PadRight(width)}{description}");
        output.WriteLine();
    }
}
