using System.CommandLine;
using System.CommandLine.Parsing;
using SweepCluster.Core.Spec;

namespace SweepCluster.Cli;

/// <summary>
/// Parses and runs one command line against a System.CommandLine tree, the same way for the local commands and for the
/// palettes a node describes: a usage error says what is wrong, the nearest known word, and where help is (exit 2).
/// </summary>
internal static class CommandLineRunner
{
    public static async Task<int> InvokeAsync(Command root, IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                var hint = Hint(parsed, parseError);
                error.WriteLine($"sweepctl: {(hint.Length > 0 ? parseError.Message.TrimEnd('.') + hint : parseError.Message)}");
            }
            var names = new List<string>();
            for (var result = parsed.CommandResult; result is not null && result.Command != root; result = result.Parent as CommandResult)
                names.Insert(0, result.Command.Name);
            error.WriteLine($"Run '{string.Join(' ', ["sweepctl", .. names])} --help' for usage.");
            return ExitCodes.InvalidInput;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellation);
    }

    /// <summary>For a word the command does not know, the nearest switch or command it does.</summary>
    private static string Hint(ParseResult parsed, ParseError parseError)
    {
        var command = parsed.CommandResult.Command;
        var word = parsed.UnmatchedTokens.FirstOrDefault(t => parseError.Message.Contains($"'{t}'", StringComparison.Ordinal));
        if (word is null) return "";
        var known = word.StartsWith('-') ? command.Options.Where(o => !o.Hidden).Select(o => o.Name) : command.Subcommands.Select(c => c.Name);
        return KeyHints.DidYouMean(word, known);
    }
}
