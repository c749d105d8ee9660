using System.Text;
using System.Text.RegularExpressions;

namespace SweepCluster.Core.Code;

/// <summary>
/// The patterns of the code folder's own <c>.gitignore</c> and <c>.sweepignore</c>, read as git reads them: <c>*</c>, <c>?</c> and
/// <c>**</c>; a pattern with a <c>/</c> is anchored at the folder, one without matches a name at any depth; a trailing <c>/</c>
/// matches folders only; <c>!</c> takes a path back; the last pattern that matches decides.
/// </summary>
public sealed class IgnoreRules
{
    private readonly List<(Regex Pattern, bool DirectoryOnly, bool Negated)> _rules = [];

    public static IgnoreRules Read(string root)
    {
        var rules = new IgnoreRules();
        foreach (var name in (string[])[".gitignore", ".sweepignore"])
        {
            var file = Path.Combine(root, name);
            if (File.Exists(file)) foreach (var line in File.ReadLines(file)) rules.Add(line);
        }
        return rules;
    }

    public void Add(string line)
    {
        var pattern = line.TrimEnd();
        if (pattern.Length == 0 || pattern.StartsWith('#')) return;
        var negated = pattern.StartsWith('!');
        if (negated) pattern = pattern[1..];
        var directoryOnly = pattern.EndsWith('/');
        pattern = pattern.TrimEnd('/');
        var anchored = pattern.Contains('/');
        pattern = pattern.TrimStart('/');
        if (pattern.Length == 0) return;
        var regex = new StringBuilder(anchored ? "^" : "(^|/)");
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                regex.Append(i + 2 < pattern.Length && pattern[i + 2] == '/' ? "(.*/)?" : ".*");
                i += i + 2 < pattern.Length && pattern[i + 2] == '/' ? 2 : 1;
            }
            else if (pattern[i] == '*') regex.Append("[^/]*");
            else if (pattern[i] == '?') regex.Append("[^/]");
            else regex.Append(Regex.Escape(pattern[i].ToString()));
        }
        regex.Append('$');
        _rules.Add((new Regex(regex.ToString(), RegexOptions.CultureInvariant), directoryOnly, negated));
    }

    /// <param name="path">Relative to the code folder, with <c>/</c> between folders.</param>
    public bool Ignores(string path, bool isDirectory)
    {
        var ignored = false;
        foreach (var (pattern, directoryOnly, negated) in _rules)
            if ((!directoryOnly || isDirectory) && pattern.IsMatch(path)) ignored = !negated;
        return ignored;
    }
}
