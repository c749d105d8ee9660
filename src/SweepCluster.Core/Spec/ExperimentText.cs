using System.Text;
using System.Text.RegularExpressions;

namespace SweepCluster.Core.Spec;

/// <summary>
/// An experiment file's text as sweepctl reads it: <c>${NAME}</c> (or <c>${NAME:-default}</c>) replaced by the environment
/// variable, as SnapperML's files are written. The client expands it, so that what a coordinator receives, stores and parses
/// again is the text that was validated, whatever its own environment.
/// </summary>
public static partial class ExperimentText
{
    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")]
    private static partial Regex Variable();

    /// <summary>The expanded text, and an error (located) for each variable that is neither set nor given a default.</summary>
    public static (string Text, IReadOnlyList<SpecError> Errors) Expand(string text, string source, Func<string, string?>? lookup = null)
    {
        lookup ??= Environment.GetEnvironmentVariable;
        var errors = new List<SpecError>();
        var expanded = Variable().Replace(text, m =>
        {
            if (lookup(m.Groups[1].Value) is { } value) return value;
            if (m.Groups[2].Success) return m.Groups[2].Value;
            var line = 1 + text.AsSpan(0, m.Index).Count('\n');
            var column = m.Index - (text.LastIndexOf('\n', Math.Max(0, m.Index - 1)) + 1) + 1;
            errors.Add(new SpecError(source, line, column, "", $"the environment variable {m.Groups[1].Value} is not set; set it, or write ${{{m.Groups[1].Value}:-default}}"));
            return m.Value;
        });
        return (expanded, errors);
    }

    /// <summary>The file's text, expanded; an <see cref="IOException"/> says why it cannot be read.</summary>
    public static (string Text, IReadOnlyList<SpecError> Errors) Read(string path) => Expand(File.ReadAllText(path, Encoding.UTF8), path);
}
