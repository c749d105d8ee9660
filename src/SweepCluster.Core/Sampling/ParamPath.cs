using System.Text.RegularExpressions;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sampling;

/// <summary>Reads a dimension's value out of a trial's parameters by its path (<c>out_channels[1]</c>, <c>optim.lr</c>).</summary>
public static partial class ParamPath
{
    /// <remarks>A map's key may itself hold dots (<c>a.b: ...</c> written as one key): the longest key the path spells is taken.</remarks>
    public static ParamValue? Get(ParamValue.Map root, string path) =>
        Get(root, [.. Segment().Matches(path).Select(Read)], 0);

    /// <summary>A key, or (Key null) a list index (one past any list when it does not fit an int).</summary>
    private static (string? Key, int Index) Read(Match m) => m.Groups["index"].Success
        ? (null, int.TryParse(m.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture, out var index) ? index : int.MaxValue)
        : (m.Groups["key"].Value, 0);

    private static ParamValue? Get(ParamValue? current, (string? Key, int Index)[] segments, int at)
    {
        if (current is null || at == segments.Length) return current;
        if (segments[at].Key is null) return current is ParamValue.List list && segments[at].Index < list.Items.Length ? Get(list.Items[segments[at].Index], segments, at + 1) : null;
        if (current is not ParamValue.Map map) return null;
        var end = at;
        while (end + 1 < segments.Length && segments[end + 1].Key is not null) end++;
        for (var last = end; last >= at; last--)
            if (map[string.Join('.', segments[at..(last + 1)].Select(s => s.Key))] is { } value) return Get(value, segments, last + 1);
        return null;
    }

    [GeneratedRegex(@"(?<key>[^.\[\]]+)|\[(?<index>\d+)\]")]
    private static partial Regex Segment();
}
