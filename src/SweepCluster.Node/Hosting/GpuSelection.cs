using System.Collections.Immutable;
using System.Globalization;

namespace SweepCluster.Node.Hosting;

/// <summary>A worker's <c>--gpus</c>: <c>auto</c> asks the trial runner which CUDA devices there are, <c>none</c> offers none, or ids like <c>0,1</c>.</summary>
public static class GpuSelection
{
    public static ImmutableArray<int> Parse(string text, Func<IReadOnlyList<int>> detect) => text.Trim() switch
    {
        "auto" => [.. detect()],
        "none" or "" => [],
        var list => [.. list.Split(',').Select(id => int.TryParse(id.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var gpu)
            ? gpu
            : throw new FormatException($"--gpus takes auto, none or GPU ids like 0,1 (got '{text}')"))],
    };
}
