using System.Globalization;
using System.Text.RegularExpressions;

namespace SweepCluster.Core.Spec;

/// <summary>
/// Gives plain YAML scalars and list literals their types: YAML 1.2 core schema for the file
/// (so <c>yes</c> stays the string 'yes'), plus Python's <c>True</c>/<c>None</c> inside distribution lists.
/// </summary>
internal static partial class ScalarResolver
{
    /// <summary>A plain (unquoted) YAML scalar: never fails, unknown text is a string.</summary>
    public static ParamValue ResolvePlain(string text) => Resolve(text, python: false) ?? new ParamValue.Text(text);

    /// <summary>An unquoted word inside a distribution's argument list; null when it is none of the literal kinds.</summary>
    public static ParamValue? ResolveLiteral(string word) => Resolve(word, python: true);

    private static ParamValue? Resolve(string text, bool python)
    {
        switch (text)
        {
            case "true" or "True" or "TRUE": return new ParamValue.Bool(true);
            case "false" or "False" or "FALSE": return new ParamValue.Bool(false);
            case "null" or "Null" or "NULL": return ParamValue.Null.Instance;
            case "~" or "" when !python: return ParamValue.Null.Instance;
            case "None" when python: return ParamValue.Null.Instance;
        }
        if (IntegerShape().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
            return new ParamValue.Int(i);
        if (RealShape().IsMatch(text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && double.IsFinite(d))
            return new ParamValue.Real(d);
        return null;
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerShape();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex RealShape();
}
