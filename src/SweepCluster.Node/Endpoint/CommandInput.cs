using System.Globalization;

namespace SweepCluster.Node.Endpoint;

/// <summary>
/// What a command is given, bound to its <see cref="CommandDescription"/> once, at the endpoint (<see cref="Bind"/>): a switch
/// the command does not take is refused, a mandatory one missing is named, each value is checked against its switch's
/// <see cref="SwitchKind"/> and left-out switches take their defaults. Handlers read values that are already right.
/// </summary>
internal sealed class CommandInput(IReadOnlyDictionary<string, string> values, string? source)
{
    /// <summary>The name of the file a file switch's content came from, as the client named it.</summary>
    public string? Source => source;

    public bool Has(string name) => values.ContainsKey(name);

    /// <summary>A mandatory switch's value, or one with a default.</summary>
    public string Text(string name) => values[name];

    public string? Optional(string name) => values.GetValueOrDefault(name);

    /// <summary>A <see cref="SwitchKind.Count"/> or <see cref="SwitchKind.Index"/> switch's number, when given or defaulted.</summary>
    public int? Number(string name) => values.TryGetValue(name, out var text) ? ParseNumber(text) : null;

    /// <summary>A <see cref="SwitchKind.Flag"/>: true for yes.</summary>
    public bool Flag(string name) => values.GetValueOrDefault(name) == "yes";

    /// <summary>A repeated switch's values, in the order given (the client sends one per line); none when left out.</summary>
    public IReadOnlyList<string> All(string name) => values.TryGetValue(name, out var text) ? Lines(text) : [];

    /// <summary>The input for <paramref name="command"/>, or the one-line problem with what was sent.</summary>
    public static (CommandInput? Input, string? Problem) Bind(string palette, CommandDescription command, IReadOnlyDictionary<string, string> given, string? source)
    {
        // A download folder is the client's: it never reaches the node.
        var sent = command.Switches.Where(s => !s.IsDownloadFolder).ToList();
        if (given.Keys.FirstOrDefault(name => sent.All(s => s.Name != name)) is { } unknown)
            return (null, $"{palette} {command.Name} takes no --{unknown}" + (sent.Count == 0 ? " (it takes no switches)" : $" (it takes {Names(sent)})"));
        var missing = sent.Where(s => s.Mandatory && !given.ContainsKey(s.Name)).ToList();
        if (missing.Count > 0) return (null, $"{palette} {command.Name} needs {Names(missing)}");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var description in sent)
        {
            if (!given.TryGetValue(description.Name, out var value) && (value = description.Default) is null) continue;
            foreach (var one in description.Repeated ? Lines(value) : [value])
                if (Problem(description, one) is { } problem) return (null, problem);
            values[description.Name] = value;
        }
        return (new CommandInput(values, source), null);
    }

    private static string? Problem(SwitchDescription description, string value) => description.Kind switch
    {
        SwitchKind.Count when ParseNumber(value) is not >= 1 => $"--{description.Name} needs a whole number >= 1 (got '{value}')",
        SwitchKind.Index when ParseNumber(value) is not >= 0 => $"--{description.Name} needs a whole number >= 0 (got '{value}')",
        SwitchKind.Choice or SwitchKind.Flag when !description.Values.Contains(value, StringComparer.Ordinal) =>
            $"--{description.Name} takes {Alternatives(description.Values)} (got '{value}')",
        _ => null,
    };

    /// <summary>A whole number, with an optional leading plus (<c>--trials +10</c>); null for anything else or past int's range.</summary>
    private static int? ParseNumber(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Names(IEnumerable<SwitchDescription> switches) => string.Join(", ", switches.Select(s => $"--{s.Name}"));

    private static string Alternatives(IReadOnlyList<string> values) => values.Count switch
    {
        1 => values[0],
        _ => $"{string.Join(", ", values.Take(values.Count - 1))} or {values[^1]}",
    };
}
