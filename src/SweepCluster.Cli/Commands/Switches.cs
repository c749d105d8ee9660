using System.CommandLine;
using System.Globalization;

namespace SweepCluster.Cli.Commands;

/// <summary>Switch kinds shared by commands, with messages that name the switch and what it takes.</summary>
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
}
