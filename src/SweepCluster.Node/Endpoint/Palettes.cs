using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace SweepCluster.Node.Endpoint;

/// <summary>What a switch's value must be: the endpoint checks it (<see cref="CommandInput.Bind"/>) before the command runs.</summary>
public enum SwitchKind
{
    /// <summary>Any text; the command reads it (an id, a name, a file's content).</summary>
    Text,

    /// <summary>A whole number >= 1, a leading plus allowed.</summary>
    Count,

    /// <summary>A whole number >= 0: a trial's index, an offset.</summary>
    Index,

    /// <summary>One of the switch's <see cref="SwitchDescription.Choices"/>.</summary>
    Choice,

    /// <summary>yes or no.</summary>
    Flag,
}

/// <summary>One switch of a command, as <c>-i ID</c> or <c>--id ID</c>.</summary>
/// <param name="Short">The one-letter form, or null for a switch that has none.</param>
/// <param name="Default">The value a left-out switch takes (the endpoint fills it in).</param>
/// <param name="IsFile">The client sends the named file's content (and its name), not the path.</param>
/// <param name="Unique">Left out, the client gives it a fresh unique value (the token that makes a submission safe to repeat).</param>
/// <param name="Repeated">May be given more than once; the client sends the values one per line.</param>
/// <param name="IsFolder">The client sends the folder's absolute path; left out, the folder of the command's file.</param>
/// <param name="IsDownloadFolder">
/// Not sent: the client fetches the artifacts of the trial the answer names (its <c>index</c>) into this folder, from
/// whichever node holds them.
/// </param>
/// <param name="Kind">Left out of descriptions written before kinds existed: those read as <see cref="SwitchKind.Text"/>.</param>
public sealed record SwitchDescription(string Name, string? Short, string Description, bool Mandatory, string? Default = null, bool IsFile = false, bool Unique = false,
    bool IsDownloadFolder = false, bool Repeated = false, bool IsFolder = false, SwitchKind Kind = SwitchKind.Text, IReadOnlyList<string>? Choices = null)
{
    private static readonly string[] YesNo = ["yes", "no"];

    /// <summary>The values a <see cref="SwitchKind.Choice"/> or <see cref="SwitchKind.Flag"/> takes; none for the other kinds.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Values => Kind == SwitchKind.Flag ? YesNo : Choices ?? [];

    /// <summary>The value's form in help: <c>best|index</c>, <c>N</c>, <c>FILE</c>, or the switch's name.</summary>
    [JsonIgnore]
    public string ValueForm => Values.Count > 0 ? string.Join('|', Values) : Kind is SwitchKind.Count or SwitchKind.Index ? "N"
        : IsFile ? "FILE" : IsFolder || IsDownloadFolder ? "FOLDER" : Name.ToUpperInvariant();
}

/// <summary>What the client does besides sending a command and printing its answer, declared with the command.</summary>
public enum ClientStep
{
    None,

    /// <summary>Runs the experiment's trainer here on a small sample first (unless <c>--check no</c>), and sends the code folder's package.</summary>
    ChecksTrainer,

    /// <summary>Follows the sweep's event stream (<c>GET /api/sweeps/ID/events</c>) until the sweep ends, instead of asking once.</summary>
    Watches,

    /// <summary>With <c>--follow yes</c>, asks each second for the lines written since (<c>--since</c>) until the trial ends.</summary>
    FollowsLogs,

    /// <summary>Draws the answer's sweeps into the download folder.</summary>
    DrawsReport,
}

/// <param name="SafeToRepeat">Asking again changes nothing (a query): a client may repeat it while no coordinator answers.</param>
/// <param name="Client">Left out of descriptions written before steps were declared (null when read).</param>
public sealed record CommandDescription(string Name, string Description, ImmutableArray<SwitchDescription> Switches, bool SafeToRepeat = false, ClientStep? Client = null);

public sealed record PaletteDescription(string Name, string Description, ImmutableArray<CommandDescription> Commands);

/// <summary>
/// The palettes a node serves, each command with the handler that carries it out: the one list of commands. The node
/// describes them at <c>GET /api/palettes</c>, and the client builds its parsing, help and REPL from that description,
/// as pbm downloads palettes from its host. <c>--format table|json</c> is common to every command.
/// </summary>
internal static class Palettes
{
    private sealed record Entry(string Palette, CommandDescription Command, Func<CommandHandlers, CommandInput, Task<CommandResult>> Run);

    private static readonly SwitchDescription Id = new("id", "i", "The sweep's id (sweep list shows them)", Mandatory: true);
    private static readonly SwitchDescription Out = new("out", "o", "Fetch the trial's artifacts into this folder, from the worker that holds them", Mandatory: false,
        IsDownloadFolder: true);
    private static readonly SwitchDescription Model = new("model", "m", "NAME (its latest version), NAME:VERSION or NAME@STAGE", Mandatory: true);
    private static readonly SwitchDescription TrialIndex = new("trial", "t", "The trial's index", Mandatory: true, Kind: SwitchKind.Index);
    private static readonly string[] TrialStates = ["pending", "running", "completed", "failed", "pruned", "cancelled"];
    private static readonly SwitchDescription Address = new("address", "a", "A member's address, akka.tcp://sweep@host:port or host:port", Mandatory: true);

    private static readonly (string Name, string Description)[] PaletteNames =
        [("sweep", "Submit, follow and cancel sweeps"), ("model", "The model registry: trials' networks kept, versioned and staged"), ("cluster", "Cluster membership"), ("node", "Workers")];

    private static readonly Entry[] Commands =
    [
        new("sweep", new("submit", "Submit an experiment file; prints the new sweep's id",
        [
            new("file", "f", "The experiment YAML file", Mandatory: true, IsFile: true),
            new("trials", "t", "Trials per grid point, instead of num_trials", Mandatory: false, Kind: SwitchKind.Count),
            new("name", "n", "The sweep's name, instead of the file's", Mandatory: false),
            new("epochs", "e", "Epochs per trial, instead of the epochs parameter", Mandatory: false, Kind: SwitchKind.Count),
            new("warm-start", "w", "ID[,ID...]: earlier sweeps (ids, or run folders on the coordinator's node) whose finished trials fitting this space guide the sampler", Mandatory: false),
            new("code", "c", "The folder your program runs in and run: paths are relative to (default: the experiment file's folder); sent with the sweep",
                Mandatory: false, IsFolder: true),
            new(EndpointOptions.CodePackageSwitch, null, "The hash of the code folder's package, sent first with PUT /api/code/HASH (sweepctl does both)", Mandatory: false),
            new("token", null, "Names this submission: the same token again returns the sweep it started (default: a new one)", Mandatory: false, Unique: true),
            new("check", null, "no: submit without first running the trainer here on a small sample (a network: one epoch of 16 synthetic showers; your program: its --check, with check: true)",
                Mandatory: false, Default: "yes", Kind: SwitchKind.Flag),
        ], SafeToRepeat: true, Client: ClientStep.ChecksTrainer), (h, input) => h.Submit(input)),
        new("sweep", new("list", "Every sweep: id, name, state, trials done/total, best so far, started", [], SafeToRepeat: true), (h, _) => h.List()),
        new("sweep", new("status", "A sweep's trials by state, why some wait, what runs where, the best so far", [Id], SafeToRepeat: true), (h, input) => h.Status(input)),
        new("sweep", new("trials", "A sweep's trials, best first",
        [
            Id,
            new("top", "k", "Show only the best K", Mandatory: false, Kind: SwitchKind.Count),
            new("offset", null, "Skip the first N in this order: --offset 100 --top 100 is the second page of 100", Mandatory: false, Default: "0", Kind: SwitchKind.Index),
            new("state", "s", "Only trials in this state", Mandatory: false, Kind: SwitchKind.Choice, Choices: TrialStates),
            new("order", null, "best: best first; index: by trial index", Mandatory: false, Default: "best", Kind: SwitchKind.Choice, Choices: ["best", "index"]),
            new("curves", null, "yes: each trial with every epoch's value (curve)", Mandatory: false, Default: "no", Kind: SwitchKind.Flag),
        ], SafeToRepeat: true), (h, input) => h.Trials(input)),
        new("sweep", new("trial", "One trial: parameters, metrics, every epoch's value, attempts",
            [Id, TrialIndex], SafeToRepeat: true), (h, input) => h.Trial(input)),
        new("sweep", new("points", "Every trial's index, status, value and varying parameters as columns (what the dashboard plots)", [Id], SafeToRepeat: true),
            (h, input) => h.Points(input)),
        new("sweep", new("best", "The best trial's params, metrics and artifacts", [Id, Out], SafeToRepeat: true), (h, input) => h.Best(input)),
        new("sweep", new("artifacts", "A trial's files on the worker that ran it (with --out, fetched into a folder)",
            [Id, TrialIndex, Out], SafeToRepeat: true), (h, input) => h.Artifacts(input)),
        new("sweep", new("logs", "The last lines of a trial's standard output and error (a program of your own), from the worker that runs or ran it",
            [
                Id, TrialIndex, new("tail", null, "How many lines of each", Mandatory: false, Default: "50", Kind: SwitchKind.Count),
                new("follow", "f", "yes: then print new lines as they come, until the trial ends (Ctrl-C stops)", Mandatory: false, Default: "no", Kind: SwitchKind.Flag),
                new("since", null, "OUT,ERR: only the lines after these byte offsets (what --follow asks with)", Mandatory: false),
            ], SafeToRepeat: true, Client: ClientStep.FollowsLogs),
            (h, input) => h.Logs(input)),
        new("sweep", new("confirm",
            "Re-run a sweep's best configurations under new seeds, as a new sweep; prints its id (sweep verdict -i ID reads the result)",
        [
            Id,
            new("top", "k", "How many of the best configurations", Mandatory: false, Default: "3", Kind: SwitchKind.Count),
            new("seeds", null, "New seeds per configuration", Mandatory: false, Default: "5", Kind: SwitchKind.Count),
            new("token", null, "Names this request: the same token again returns the sweep it started (default: a new one)", Mandatory: false, Unique: true),
        ], SafeToRepeat: true), (h, input) => h.Confirm(input)),
        new("sweep", new("enqueue", "Run a configuration in a running sweep before the sampler's next suggestion (Optuna's enqueue_trial)",
        [
            Id,
            new("set", null, "DIMENSION=VALUE, once per dimension (--set lr=0.002 --set bs=128); dimensions left out are sampled", Mandatory: true, Repeated: true),
        ]), (h, input) => h.Enqueue(input)),
        new("sweep", new("extend",
            "Add trials to a sweep, running or ended: an ended one runs again, its sampler and pruner knowing every earlier trial",
        [
            Id,
            new("trials", "t", "+N: the trials to add", Mandatory: true, Kind: SwitchKind.Count),
            new("allow-changed-data", null, "yes: extend though a worker would give the new trials other data than the sweep's trials read", Mandatory: false, Default: "no",
                Kind: SwitchKind.Flag),
        ]), (h, input) => h.Extend(input)),
        new("sweep", new("report",
            "The study's report of one or more sweeps, written into a folder here: trials.csv, report.md, report.html and figures (PNG, SVG)",
        [
            new("id", "i", "A sweep's id; once per sweep (-i A -i B): several are also compared side by side", Mandatory: true, Repeated: true),
            new("out", "o", "The folder to write the report into", Mandatory: true, IsDownloadFolder: true),
        ], SafeToRepeat: true, Client: ClientStep.DrawsReport), (h, input) => h.Report(input)),
        new("sweep", new("verdict",
            "A confirmation sweep's result: per configuration mean, std, standard error, probability of being the best, and whether the winner stands",
            [Id], SafeToRepeat: true), (h, input) => h.Verdict(input)),
        // The client follows the sweep's events; asked as a command (a client older than the stream), a watch is answered as a status.
        new("sweep", new("watch", "Live progress until the sweep ends; exit 0 when it completed", [Id], SafeToRepeat: true, Client: ClientStep.Watches),
            (h, input) => h.Status(input)),
        new("sweep", new("cancel", "Stop the running trials and drop the pending ones", [Id]), (h, input) => h.Cancel(input)),
        new("model", new("register", "Keep a trial's model as the next version of NAME: its files copied with checksums on its worker, a model card, journalled",
        [
            Id, new("trial", "t", "The trial's index (default: the sweep's best)", Mandatory: false, Kind: SwitchKind.Index),
            new("name", "n", "The model's name: letters, digits, '_', '-', '.'", Mandatory: true),
        ]), (h, input) => h.RegisterModel(input)),
        new("model", new("list", "Every registered version: model, version, stage, where it came from", [], SafeToRepeat: true), (h, _) => h.ListModels()),
        new("model", new("show", "A version's files, checksums and model card", [Model], SafeToRepeat: true), (h, input) => h.ShowModel(input)),
        new("model", new("promote", "Move a version to a stage; the version that held staging or production is archived",
            [Model, new("stage", "s", "The stage", Mandatory: true, Kind: SwitchKind.Choice, Choices: ["staging", "production", "archived"])], SafeToRepeat: true), (h, input) => h.PromoteModel(input)),
        new("cluster", new("show", "Every member: address, roles, status", []), (h, _) => Task.FromResult(h.ClusterShow())),
        new("cluster", new("leader", "The cluster's leader", []), (h, _) => Task.FromResult(h.ClusterLeader())),
        new("cluster", new("leave", "Ask a member to leave the cluster gracefully", [Address]), (h, input) => Task.FromResult(h.ChangeMember(input, leave: true))),
        new("cluster", new("down", "Mark an unreachable member as down", [Address]), (h, input) => Task.FromResult(h.ChangeMember(input, leave: false))),
        new("node", new("show", "Each worker's GPUs and CPU slots, what runs on them, trials done", [], SafeToRepeat: true), (h, _) => h.NodeShow()),
    ];

    public static readonly ImmutableArray<PaletteDescription> All =
        [.. PaletteNames.Select(p => new PaletteDescription(p.Name, p.Description, [.. Commands.Where(c => c.Palette == p.Name).Select(c => c.Command)]))];

    public static CommandDescription? Find(string palette, string command) => Lookup(palette, command)?.Command;

    /// <summary>Carries the command out with <paramref name="handlers"/>; null when there is no such command.</summary>
    public static Task<CommandResult>? Run(string palette, string command, CommandHandlers handlers, CommandInput input) =>
        Lookup(palette, command)?.Run(handlers, input);

    private static Entry? Lookup(string palette, string command) => Commands.FirstOrDefault(c => c.Palette == palette && c.Command.Name == command);
}
