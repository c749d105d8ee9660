using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SweepCluster.Core.Json;
using SweepCluster.Core.Sampling;

namespace SweepCluster.Core.Spec;

/// <summary>
/// A <c>run:</c> entry that names the user's program, as words: split as a POSIX shell splits (single and double
/// quotes, backslash escapes) but never run through a shell, and each word's <c>{{name}}</c> replaced by the
/// trial's parameter (SnapperML's job templates). Replacing after splitting keeps a value with spaces one word.
/// </summary>
public static partial class CommandWords
{
    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_.\[\]]*)\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>The words of <paramref name="line"/>, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static List<string>? Split(string line, out string? error)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord) words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                    continue;
                case '\'':
                    var close = line.IndexOf('\'', i + 1);
                    if (close < 0) return Fail($"the quote at character {i + 1} is never closed", out error);
                    word.Append(line, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    for (i++; i < line.Length && line[i] != '"'; i++)
                        word.Append(line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$' or '`' ? line[++i] : line[i]);
                    if (i >= line.Length) return Fail("a double quote is never closed", out error);
                    break;
                case '\\':
                    if (i + 1 < line.Length) word.Append(line[++i]);
                    break;
                default:
                    word.Append(c);
                    break;
            }
            inWord = true;
        }
        if (inWord) words.Add(word.ToString());
        error = words.Count == 0 ? "the command is empty" : null;
        return words.Count == 0 ? null : words;
    }

    private static List<string>? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }

    /// <summary>The parameter paths a line's placeholders name (<c>lr</c>, <c>optimizer.lr</c>, <c>out_channels[1]</c>).</summary>
    public static IEnumerable<string> Placeholders(string line) => Placeholder().Matches(line).Select(m => m.Groups[1].Value);

    /// <summary>The word with each placeholder replaced; an unknown name is left as written (validation reports it).</summary>
    public static string Fill(string word, ParamValue.Map parameters) =>
        Placeholder().Replace(word, m => ParamPath.Get(parameters, m.Groups[1].Value) is { } value ? Text(value) : m.Value);

    /// <summary>A value as a program reads it in its arguments: numbers as written in JSON, text as it is, lists and maps as JSON.</summary>
    public static string Text(ParamValue value) => value switch
    {
        ParamValue.Text t => t.Value,
        ParamValue.Int or ParamValue.Real or ParamValue.Bool or ParamValue.Null or ParamValue.List or ParamValue.Map =>
            JsonSerializer.Serialize(value, SweepJson.Compact),
        _ => throw new InvalidOperationException("unreachable: ParamValue is closed"),
    };
}
