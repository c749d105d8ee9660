using System.Collections.Immutable;

namespace SweepCluster.Node.Endpoint;

/// <summary>One switch of a command, as <c>-i ID</c> or <c>--id ID</c>.</summary>
/// <param name="IsFile">The client sends the named file's content (and its name), not the path.</param>
public sealed record SwitchDescription(string Name, string Short, string Description, bool Mandatory, string? Default = null, bool IsFile = false);

public sealed record CommandDescription(string Name, string Description, ImmutableArray<SwitchDescription> Switches);

public sealed record PaletteDescription(string Name, string Description, ImmutableArray<CommandDescription> Commands);

/// <summary>
/// The palettes a node serves, described so that the client can build its help and check switches from the
/// server, as pbm downloads palettes from its host. <c>--format table|json</c> is common to every command.
/// </summary>
public static class Palettes
{
    private static readonly SwitchDescription Id = new("id", "i", "The sweep's id (sweep list shows them)", Mandatory: true);
    private static readonly SwitchDescription Address = new("address", "a", "A member's address, akka.tcp://sweep@host:port or host:port", Mandatory: true);

    public static readonly ImmutableArray<PaletteDescription> All =
    [
        new("sweep", "Submit, follow and cancel sweeps",
        [
            new("submit", "Submit an experiment file; prints the new sweep's id",
            [
                new("file", "f", "The experiment YAML file", Mandatory: true, IsFile: true),
                new("trials", "t", "Trials per grid point, instead of num_trials", Mandatory: false),
                new("name", "n", "The sweep's name, instead of the file's", Mandatory: false),
                new("epochs", "e", "Epochs per trial, instead of the epochs parameter", Mandatory: false),
            ]),
            new("list", "Every sweep: id, name, state, trials done/total, best so far, started", []),
            new("status", "A sweep's trials by state, why some wait, what runs where, the best so far", [Id]),
            new("trials", "A sweep's trials, best first", [Id, new("top", "k", "Show only the best K", Mandatory: false), new("state", "s", "Only trials in this state (pending, running, completed, failed, pruned, cancelled)", Mandatory: false)]),
            new("best", "The best trial's params, metrics and artifacts", [Id]),
            new("watch", "Live progress until the sweep ends; exit 0 when it completed", [Id]),
            new("cancel", "Stop the running trials and drop the pending ones", [Id]),
        ]),
        new("cluster", "Cluster membership",
        [
            new("show", "Every member: address, roles, status", []),
            new("leader", "The cluster's leader", []),
            new("leave", "Ask a member to leave the cluster gracefully", [Address]),
            new("down", "Mark an unreachable member as down", [Address]),
        ]),
        new("node", "Workers",
        [
            new("show", "Each worker's GPUs and CPU slots, what runs on them, trials done", []),
        ]),
    ];

    public static CommandDescription? Find(string palette, string command) =>
        All.FirstOrDefault(p => p.Name == palette)?.Commands.FirstOrDefault(c => c.Name == command);
}
