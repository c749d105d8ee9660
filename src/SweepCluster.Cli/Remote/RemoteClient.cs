using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using SweepCluster.Cli.Output;
using SweepCluster.Core.Analysis;
using SweepCluster.Core.Json;
using SweepCluster.Core.Spec;
using SweepCluster.Node.Endpoint;

namespace SweepCluster.Cli.Remote;

/// <summary>
/// Talks to a node's command endpoint: downloads its palettes and builds System.CommandLine commands from them (so
/// parsing, help and the REPL follow what the node serves), runs commands, and prints the text (or with --format json
/// the data). Exit codes: 0 done, 1 failed on the server, 2 bad usage or invalid input, 3 the node cannot be reached.
/// </summary>
internal sealed partial class RemoteClient(string address, string? token, TextWriter output, TextWriter error) : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);
    private readonly HttpClient _http = CreateHttp(address, token ?? Environment.GetEnvironmentVariable(EndpointOptions.TokenVariable));

    public static async Task<int> RunAsync(RemoteInvocation invocation, TextWriter output, TextWriter error, TextReader input, CancellationToken cancellation)
    {
        using var client = new RemoteClient(invocation.Address, invocation.Token, output, error);
        try
        {
            var palettes = (await client._http.GetFromJsonAsync<PaletteList>("api/palettes", SweepJson.Options, cancellation))!.Palettes;
            var commands = client.Commands(palettes);
            if (invocation.Words.Length == 0) return await client.Repl(commands, input, cancellation);
            return await CommandLineRunner.InvokeAsync(commands, invocation.Words, output, error, cancellation);
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            var reason = e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "connection refused" : e.InnerException?.Message ?? e.Message;
            error.WriteLine($"cannot reach {invocation.Address}: {reason}");
            if (!NodeCommandsHelp.AsksForHelp(invocation.Words)) return ExitCodes.Unreachable;
            error.WriteLine("what follows is how a node of this sweepctl's version describes the command");
            return await CommandLineRunner.InvokeAsync(client.Commands(Palettes.All), invocation.Words, output, error, cancellation);
        }
        catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.Unauthorized)
        {
            error.WriteLine($"{invocation.Address}: unauthorized: set {EndpointOptions.TokenVariable} to the node's token");
            return ExitCodes.Failed;
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            error.WriteLine($"cannot reach {invocation.Address}: no answer within {client._http.Timeout.TotalSeconds:0} s");
            return ExitCodes.Unreachable;
        }
    }

    private sealed record PaletteList(List<PaletteDescription> Palettes);

    /// <summary>A command per palette command the node describes, each switch an option (<c>-i</c>, <c>--id</c>), and <c>--format</c>.</summary>
    private RootCommand Commands(IReadOnlyList<PaletteDescription> palettes)
    {
        var root = new RootCommand($"The commands of the node at {address}; with none, a REPL (help, exit)");
        foreach (var palette in palettes)
        {
            var paletteCommand = new Command(palette.Name, palette.Description);
            foreach (var description in palette.Commands)
            {
                var switches = description.Switches.Select(s => (Switch: s, Option: SwitchOption(s))).ToList();
                var format = OutputFormat.CreateOption();
                var command = new Command(description.Name, description.Description);
                foreach (var (_, option) in switches) command.Add(option);
                command.Add(format);
                var wait = WaitOption();
                if (description.SafeToRepeat) command.Add(wait);
                command.SetAction((parsed, cancellation) =>
                {
                    // A repeated switch goes as one value, a line per time it was given.
                    var given = switches.Where(s => parsed.GetResult(s.Option) is not null)
                        .Select(s => (s.Switch, Value: s.Option is Option<string[]> many ? string.Join("\n", parsed.GetValue(many)!) : parsed.GetValue((Option<string>)s.Option)!)).ToList();
                    var patience = description.SafeToRepeat ? TimeSpan.FromSeconds(parsed.GetValue(wait)) : TimeSpan.Zero;
                    return Execute(palette.Name, description, given, parsed.GetValue(format) == OutputFormat.Json, patience, cancellation);
                });
                paletteCommand.Add(command);
            }
            root.Add(paletteCommand);
        }
        return root;
    }

    private static Option SwitchOption(SwitchDescription s)
    {
        string[] aliases = s.Short is { Length: > 0 } letter ? [$"-{letter}"] : [];
        Option option = s.Repeated
            ? new Option<string[]>($"--{s.Name}", aliases) { AllowMultipleArgumentsPerToken = false }
            : new Option<string>($"--{s.Name}", aliases);
        option.Description = s.Default is null ? s.Description : $"{s.Description} (default {s.Default})";
        option.Required = s.Mandatory;
        option.HelpName = s.ValueForm;
        return option;
    }

    private async Task<int> Repl(RootCommand commands, TextReader input, CancellationToken cancellation)
    {
        output.WriteLine($"successfully connected to {address}");
        while (!cancellation.IsCancellationRequested)
        {
            output.Write($"[{address}] sweepctl> ");
            output.Flush();
            var line = input.ReadLine();
            if (line is null) return ExitCodes.Ok;
            var words = CommandLineParser.SplitCommandLine(line).ToList();
            if (words.Count == 0) continue;
            if (words[0] is "exit" or "quit") return ExitCodes.Ok;
            if (words[0] == "help") words[0] = "--help";
            await CommandLineRunner.InvokeAsync(commands, words, output, error, cancellation);
        }
        return ExitCodes.Interrupted;
    }

    /// <summary><c>--wait</c>, on the commands that are safe to repeat.</summary>
    private static Option<int> WaitOption() => new("--wait")
    {
        Description = "Seconds to keep asking while no coordinator answers (one takes over within a minute of a failure)",
        DefaultValueFactory = _ => 120,
    };

    private async Task<int> Execute(string palette, CommandDescription command, List<(SwitchDescription Switch, string Value)> given, bool json, TimeSpan patience,
        CancellationToken cancellation)
    {
        // A fresh token per invocation, kept over its repeats: a submission repeated after a timeout starts nothing twice.
        var switches = command.Switches.Where(s => s.Unique).ToDictionary(s => s.Name, _ => Guid.NewGuid().ToString("N"));
        string? source = null, downloadFolder = null;
        foreach (var (description, value) in given)
        {
            if (description.IsDownloadFolder)
            {
                downloadFolder = value;
                continue;
            }
            if (description.IsFolder)
            {
                switches[description.Name] = Path.GetFullPath(value);
                continue;
            }
            if (!description.IsFile)
            {
                switches[description.Name] = value;
                continue;
            }
            try
            {
                // The experiment as validated here: ${VAR} expanded in this environment, not the coordinator's.
                var (text, unset) = ExperimentText.Read(value);
                foreach (var problem in unset) error.WriteLine(problem);
                if (unset.Count > 0) return ExitCodes.InvalidInput;
                (source, switches[description.Name]) = (value, text);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"cannot read {value}: {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}");
                return ExitCodes.InvalidInput;
            }
        }
        foreach (var folder in command.Switches.Where(s => s.IsFolder && !switches.ContainsKey(s.Name) && source is not null))
            switches[folder.Name] = Path.GetDirectoryName(Path.GetFullPath(source!))!;
        var step = StepOf(command);
        var checkWanted = !(switches.Remove("check", out var check) && check == "no");
        if (step == ClientStep.ChecksTrainer && source is not null && checkWanted && TrainerCheckFailed(source, switches.GetValueOrDefault("code"), cancellation))
            return ExitCodes.InvalidInput;
        if (source is not null && await new CodeUpload(_http, error).SendAsync(command, switches, source, cancellation) is { } failed) return failed;
        if (step == ClientStep.Watches) return await new LiveView(output).RunAsync(show => Watch(switches, show, patience, cancellation));
        if (step == ClientStep.FollowsLogs && switches.Remove("follow", out var follow) && follow == "yes") return await FollowLogs(switches, patience, cancellation);
        var (status, document) = await Post(palette, command.Name, switches, source, patience, cancellation);
        if (step == ClientStep.DrawsReport && status == HttpStatusCode.OK) return await Report(document, downloadFolder!, json, cancellation);
        if (downloadFolder is null || status != HttpStatusCode.OK) return Print(status, document, json);
        var index = document.RootElement.GetProperty("data").GetProperty("index").GetInt32();
        var printed = Print(status, document, json);
        return await Download(switches["id"], index, downloadFolder, patience, cancellation) ?? printed;
    }

    /// <summary>
    /// The command's client step; a node of a release before steps were declared describes none, and these were its commands that had one.
    /// </summary>
    internal static ClientStep StepOf(CommandDescription command) => command.Client ?? command.Name switch
    {
        "submit" => ClientStep.ChecksTrainer,
        "watch" => ClientStep.Watches,
        "logs" => ClientStep.FollowsLogs,
        "report" => ClientStep.DrawsReport,
        _ => ClientStep.None,
    };

    /// <summary>
    /// Runs the experiment's trainer here on a small sample before submitting (<see cref="Training.Trials.TrainerCheck"/>); true when it
    /// failed, said on stderr. An experiment with errors is left to the node, which names them.
    /// </summary>
    private bool TrainerCheckFailed(string source, string? code, CancellationToken cancellation)
    {
        if (ExperimentSpecParser.ParseFile(source, CodeFolder.Of(source, code)).Spec is not { } spec || Training.Trainers.NetworkSettings.ProblemIn(spec) is not null) return false;
        if (Cli.Commands.LocalSweep.Checked(spec, null, null, error, cancellation) is not { } problem) return false;
        error.WriteLine($"{source}: the trainer's check failed here, so the sweep was not submitted: {problem}");
        error.WriteLine("(fix the experiment or the program; --check no submits without checking)");
        return true;
    }

    /// <summary>
    /// <c>sweep report</c>: the node sends each sweep's trials and experiment; the report is drawn here, with each best trial's
    /// confusion matrices fetched from the worker that ran it when its trainer wrote them.
    /// </summary>
    private async Task<int> Report(JsonDocument document, string folder, bool json, CancellationToken cancellation)
    {
        SweepReportSources sources;
        using (document) sources = document.RootElement.GetProperty("data").Deserialize<SweepReportSources>(SweepJson.Options)!;
        var sweeps = new List<ReportSweep>();
        foreach (var source in sources.Sweeps)
        {
            var sweep = ReportSources.FromNode(source, null);
            Core.Results.ConfusionFile? confusion = null;
            if (sweep.Best is { Artifacts: not null } best)
            {
                using var response = await _http.GetAsync($"api/artifacts/{Uri.EscapeDataString(source.Header.Id)}/{best.Index}/confusion.json", cancellation);
                if (response.StatusCode == HttpStatusCode.OK) confusion = ReportSources.ParseConfusion(await response.Content.ReadAsStringAsync(cancellation));
            }
            sweeps.Add(sweep with { BestConfusion = confusion });
        }
        return ReportSources.Write(sweeps, folder, json, output, error);
    }

    /// <summary>The trial's files into <paramref name="folder"/>; null when all were written, else the exit code after saying why.</summary>
    private async Task<int?> Download(string sweep, int index, string folder, TimeSpan patience, CancellationToken cancellation)
    {
        var (status, listing) = await Post("sweep", "artifacts", new() { ["id"] = sweep, ["trial"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            null, patience, cancellation);
        if (status != HttpStatusCode.OK) return Print(status, listing, json: false);
        using (listing)
        {
            var data = listing.RootElement.GetProperty("data");
            try
            {
                var (files, bytes) = await new ArtifactDownload(_http).SaveAsync(sweep, index, data.GetProperty("files"), folder, cancellation);
                error.WriteLine($"fetched {files} files ({bytes} bytes) of trial {index} from {data.GetProperty("node").GetString()} into {folder}");
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"cannot fetch the artifacts of trial {index} into {folder}: {e.Message}");
                return ExitCodes.Failed;
            }
        }
    }

    /// <summary><c>sweep logs --follow yes</c>: the last lines, then each second the lines written since, until the trial has ended.</summary>
    private async Task<int> FollowLogs(Dictionary<string, string> switches, TimeSpan patience, CancellationToken cancellation)
    {
        while (true)
        {
            var (status, document) = await Post("sweep", "logs", switches, null, patience, cancellation);
            if (status != HttpStatusCode.OK) return Print(status, document, json: false);
            using (document)
            {
                var root = document.RootElement;
                output.Write(root.GetProperty("text").GetString());
                output.Flush();
                var data = root.GetProperty("data");
                if (!data.GetProperty("running").GetBoolean()) return ExitCodes.Ok;
                switches["since"] = $"{data.GetProperty("stdout_offset").GetInt64()},{data.GetProperty("stderr_offset").GetInt64()}";
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Interrupted;
            }
        }
    }

    /// <summary>
    /// Sends a command. While no coordinator answers (one takes over after a failure), a command that is safe to repeat
    /// is sent again for up to <paramref name="patience"/>, with a notice on stderr the first time.
    /// </summary>
    private async Task<(HttpStatusCode, JsonDocument)> Post(string palette, string command, Dictionary<string, string> switches, string? source, TimeSpan patience,
        CancellationToken cancellation)
    {
        var waiting = Stopwatch.StartNew();
        var noticed = false;
        while (true)
        {
            var (status, document) = await PostOnce(palette, command, switches, source, cancellation);
            if (status != HttpStatusCode.ServiceUnavailable || waiting.Elapsed >= patience) return (status, document);
            document.Dispose();
            if (!noticed) error.WriteLine($"no coordinator answers yet (one takes over after a failure); asking again for up to {patience.TotalSeconds:0} s");
            noticed = true;
            await Task.Delay(RetryInterval, cancellation);
        }
    }

    private async Task<(HttpStatusCode, JsonDocument)> PostOnce(string palette, string command, Dictionary<string, string> switches, string? source, CancellationToken cancellation)
    {
        using var response = await _http.PostAsJsonAsync($"api/{palette}/{command}", new { switches, source }, SweepJson.Options, cancellation);
        if (response.StatusCode == HttpStatusCode.Unauthorized) throw new HttpRequestException("unauthorized", null, HttpStatusCode.Unauthorized);
        var body = await response.Content.ReadAsStringAsync(cancellation);
        try
        {
            return (response.StatusCode, JsonDocument.Parse(body));
        }
        catch (JsonException)
        {
            return (response.StatusCode, JsonDocument.Parse(JsonSerializer.Serialize(new { error = $"{(int)response.StatusCode} {response.ReasonPhrase}: {body}" })));
        }
    }

    private int Print(HttpStatusCode status, JsonDocument document, bool json)
    {
        using (document)
        {
            var root = document.RootElement;
            if (status == HttpStatusCode.OK)
            {
                if (json) output.WriteLine(JsonSerializer.Serialize(root.GetProperty("data"), SweepJson.Options));
                else output.Write(root.GetProperty("text").GetString());
                return ExitCodes.Ok;
            }
            error.WriteLine(root.TryGetProperty("error", out var message) ? message.GetString() : status.ToString());
            if (root.TryGetProperty("errors", out var errors)) foreach (var e in errors.EnumerateArray()) error.WriteLine(e.GetString());
            return status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound ? ExitCodes.InvalidInput : ExitCodes.Failed;
        }
    }

    private static HttpClient CreateHttp(string address, string? token)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{address}/"), Timeout = TimeSpan.FromSeconds(30) };
        if (token is { Length: > 0 })
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public void Dispose() => _http.Dispose();
}
