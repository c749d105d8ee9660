using System.Text.RegularExpressions;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sampling;

/// <summary>Reads a dimension's value out of a trial's parameters by its path (<c>out_channels[1]</c>, <c>optim.lr</c>).</summary>
public static partial class ParamPath
{
    public static ParamValue? Get(ParamValue.Map root, string path)
    {
        ParamValue? current = root;
        foreach (Match segment in Segment().Matches(path))
        {
            current = segment.Groups["index"].Success
                ? current is ParamValue.List list && int.Parse(segment.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture) is var i && i < list.Items.Length ? list.Items[i] : null
                : current is ParamValue.Map map ? map[segment.Groups["key"].Value] : null;
            if (current is null) return null;
        }
        return current;
    }

    [GeneratedRegex(@"(?<key>[^.\[\]]+)|\[(?<index>\d+)\]")]
    private static partial Regex Segment();
}
