using System.CommandLine;
using System.Globalization;

namespace SweepCluster.Cli.Commands;

/// <summary>Switch kinds shared by commands, with messages that name the switch and what it takes, and what a command line gave them.</summary>
internal static class Switches
{
    public static Option<int?> PositiveInt(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            // A plus sign reads as "more" where a count is added (run --resume --trials +5) and changes nothing elsewhere.
            if (int.TryParse(text.TrimStart('+'), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1) return value;
            result.AddError($"{name} needs a whole number >= 1 (got '{text}')");
            return null;
        },
    };

    /// <summary>The switches given on the command line, each with its value as written (a flag's is <c>true</c>).</summary>
    public static IEnumerable<(string Switch, string Value)> Given(ParseResult parsed, IEnumerable<Option> options) =>
        options.Select(o => (o.Name, Result: parsed.GetResult(o))).Where(o => o.Result is { Implicit: false })
            .Select(o => (o.Name, o.Result!.Tokens.Count > 0 ? o.Result.Tokens[^1].Value : "true"));
}
