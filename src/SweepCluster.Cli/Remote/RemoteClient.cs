using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using SweepCluster.Cli.Commands;
using SweepCluster.Node.Endpoint;
using SweepCluster.Cli.Output;
using SweepCluster.Core.Json;
using SweepCluster.Core.Spec;

namespace SweepCluster.Cli.Remote;

/// <summary>
/// Talks to a node's command endpoint: downloads its palettes, checks switches against them, runs commands, and
/// prints the text (or with --format json the data). Exit codes: 0 done, 1 failed on the server, 2 bad usage or
/// invalid input, 3 the node cannot be reached.
/// </summary>
internal sealed class RemoteClient(string address, TextWriter output, TextWriter error) : IDisposable
{
    private readonly HttpClient _http = CreateHttp(address);
    private IReadOnlyList<PaletteDescription> _palettes = [];

    public static async Task<int> RunAsync(RemoteInvocation invocation, TextWriter output, TextWriter error, TextReader input, CancellationToken cancellation)
    {
        using var client = new RemoteClient(invocation.Address, output, error);
        try
        {
            client._palettes = (await client._http.GetFromJsonAsync<PaletteList>("api/palettes", CommandEndpoint.Json, cancellation))!.Palettes;
            if (invocation.Words.Length == 0) return await client.Repl(input, cancellation);
            return await client.Execute(invocation.Words, cancellation);
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            var reason = e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "connection refused" : e.InnerException?.Message ?? e.Message;
            error.WriteLine($"cannot reach {invocation.Address}: {reason}");
            return 3;
        }
        catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.Unauthorized)
        {
            error.WriteLine($"{invocation.Address}: unauthorized: set {EndpointOptions.TokenVariable} to the node's token");
            return ExitCodes.Failed;
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            error.WriteLine($"cannot reach {invocation.Address}: no answer within {client._http.Timeout.TotalSeconds:0} s");
            return 3;
        }
    }

    private sealed record PaletteList(List<PaletteDescription> Palettes);

    private async Task<int> Repl(TextReader input, CancellationToken cancellation)
    {
        output.WriteLine($"successfully connected to {address}");
        while (!cancellation.IsCancellationRequested)
        {
            output.Write($"[{address}] sweepctl> ");
            output.Flush();
            var line = input.ReadLine();
            if (line is null) return ExitCodes.Ok;
            var words = Words(line);
            if (words.Length == 0) continue;
            if (words[0] is "exit" or "quit") return ExitCodes.Ok;
            await Execute(words, cancellation);
        }
        return ExitCodes.Interrupted;
    }

    private async Task<int> Execute(string[] words, CancellationToken cancellation)
    {
        if (words[0] is "help" or "--help" or "-h")
        {
            WriteHelp(words.Length > 1 ? words[1] : null);
            return ExitCodes.Ok;
        }
        var palette = _palettes.FirstOrDefault(p => p.Name == words[0]);
        if (palette is null)
            return Usage($"unknown palette '{words[0]}'{KeyHints.DidYouMean(words[0], _palettes.Select(p => p.Name))}; {address} serves {string.Join(", ", _palettes.Select(p => p.Name))}");
        if (words.Length < 2 || words[1] is "help" or "--help")
        {
            WriteHelp(palette.Name);
            return words.Length < 2 ? ExitCodes.InvalidInput : ExitCodes.Ok;
        }
        var command = palette.Commands.FirstOrDefault(c => c.Name == words[1]);
        if (command is null)
            return Usage($"unknown command '{palette.Name} {words[1]}'{KeyHints.DidYouMean(words[1], palette.Commands.Select(c => c.Name))}; {palette.Name} has {string.Join(", ", palette.Commands.Select(c => c.Name))}");
        if (ParseSwitches(palette, command, words[2..]) is not { } parsed) return ExitCodes.InvalidInput;
        var (switches, json, source) = parsed;
        if (command.Name == "watch") return await Watch(switches, cancellation);
        var (status, document) = await Post(palette.Name, command.Name, switches, source, cancellation);
        return Print(status, document, json);
    }

    /// <summary>-x VALUE, --name VALUE or --name=VALUE, checked against the server's description; null after printing why not.</summary>
    private (Dictionary<string, string> Switches, bool Json, string? Source)? ParseSwitches(PaletteDescription palette, CommandDescription command, string[] words)
    {
        var switches = new Dictionary<string, string>();
        var json = false;
        string? source = null;
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            string? inline = null;
            if (word.StartsWith("--", StringComparison.Ordinal) && word.Contains('=', StringComparison.Ordinal)) (word, inline) = (word[..word.IndexOf('=')], word[(word.IndexOf('=') + 1)..]);
            var name = word.StartsWith("--", StringComparison.Ordinal) ? word[2..] : word.StartsWith('-') ? word[1..] : null;
            if (name is null)
            {
                Usage($"{palette.Name} {command.Name}: unexpected '{word}'; switches start with - or --");
                return null;
            }
            var value = inline ?? (i + 1 < words.Length ? words[++i] : null);
            if (value is null)
            {
                Usage($"{palette.Name} {command.Name}: {word} needs a value");
                return null;
            }
            if (name == "format")
            {
                if (value is not (OutputFormat.Json or OutputFormat.Table))
                {
                    Usage($"--format takes table or json (got '{value}')");
                    return null;
                }
                json = value == OutputFormat.Json;
                continue;
            }
            var described = command.Switches.FirstOrDefault(s => s.Name == name || s.Short == name);
            if (described is null)
            {
                var known = command.Switches.Select(s => $"--{s.Name}").Append("--format").ToList();
                Usage($"{palette.Name} {command.Name}: unknown switch {word}{KeyHints.DidYouMean("--" + name, known)}; it takes {string.Join(", ", known)}");
                return null;
            }
            if (described.IsFile)
            {
                try
                {
                    (source, value) = (value, File.ReadAllText(value));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Usage($"cannot read {value}: {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}");
                    return null;
                }
            }
            switches[described.Name] = value;
        }
        var missing = command.Switches.Where(s => s.Mandatory && !switches.ContainsKey(s.Name)).Select(s => $"-{s.Short} (--{s.Name})").ToList();
        if (missing.Count > 0)
        {
            Usage($"{palette.Name} {command.Name} needs {string.Join(", ", missing)}");
            return null;
        }
        return (switches, json, source);
    }

    private async Task<int> Watch(Dictionary<string, string> switches, CancellationToken cancellation)
    {
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var drawn = 0;
        var last = "";
        while (true)
        {
            var (status, document) = await Post("sweep", "status", switches, null, cancellation);
            if (status != HttpStatusCode.OK) return Print(status, document, json: false);
            var root = document.RootElement;
            var text = root.GetProperty("text").GetString()!;
            var lines = text.TrimEnd('\n').Split('\n');
            if (terminal)
            {
                if (drawn > 0) output.Write($"\u001b[{drawn}A\u001b[J");
                output.Write(text);
                drawn = lines.Length;
            }
            else if (lines[0] != last)
            {
                output.WriteLine(lines[0]);
                last = lines[0];
            }
            var state = root.GetProperty("data").GetProperty("state").GetString();
            if (state is "completed") return ExitCodes.Ok;
            if (state is "cancelled") return ExitCodes.Failed;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation);
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Interrupted;
            }
        }
    }

    private async Task<(HttpStatusCode, JsonDocument)> Post(string palette, string command, Dictionary<string, string> switches, string? source, CancellationToken cancellation)
    {
        using var response = await _http.PostAsJsonAsync($"api/{palette}/{command}", new { switches, source }, CommandEndpoint.Json, cancellation);
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

    private void WriteHelp(string? paletteName)
    {
        foreach (var palette in _palettes.Where(p => paletteName is null || p.Name == paletteName))
        {
            output.WriteLine($"{palette.Name}: {palette.Description}");
            foreach (var command in palette.Commands)
            {
                var usage = string.Join(" ", command.Switches.Select(s => s.Mandatory ? $"-{s.Short} {s.Name.ToUpperInvariant()}" : $"[-{s.Short} {s.Name.ToUpperInvariant()}]"));
                output.WriteLine($"  {palette.Name} {command.Name} {usage}".TrimEnd());
                output.WriteLine($"      {command.Description}");
            }
        }
        output.WriteLine("every command takes --format table|json");
    }

    private int Usage(string message)
    {
        error.WriteLine(message);
        return ExitCodes.InvalidInput;
    }

    /// <summary>Splits a REPL line into words, keeping quoted strings together.</summary>
    private static string[] Words(string line)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is not null)
            {
                if (c == quote) quote = null;
                else current.Append(c);
            }
            else if (c is '"' or '\'') quote = c;
            else if (char.IsWhiteSpace(c))
            {
                if (current.Length > 0) words.Add(current.ToString());
                current.Clear();
            }
            else current.Append(c);
        }
        if (current.Length > 0) words.Add(current.ToString());
        return [.. words];
    }

    private static HttpClient CreateHttp(string address)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{address}/"), Timeout = TimeSpan.FromSeconds(30) };
        if (Environment.GetEnvironmentVariable(EndpointOptions.TokenVariable) is { Length: > 0 } token)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public void Dispose() => _http.Dispose();
}
