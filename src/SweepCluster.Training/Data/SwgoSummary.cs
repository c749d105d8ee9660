namespace SweepCluster.Training.Data;

/// <summary>
/// The figures <c>sweepctl data inspect</c> prints, computed on the values as stored (float32 or float64)
/// with exact sums, so that they agree with h5py and pandas to the last digit.
/// </summary>
public sealed record SwgoSummary(
    string Path,
    int Samples,
    int Height,
    int Width,
    string DataDtype,
    IReadOnlyList<string> Columns,
    IReadOnlyDictionary<string, int> ClassCounts,
    double DataSum,
    double Sample0Sum,
    int Sample0Label,
    int LastLabel,
    double? NmuonsSum,
    double DataMax)
{
    public static SwgoSummary Of(string path)
    {
        using var file = SwgoFile.Open(path);
        if (file.Count == 0) throw new DataFileException(path, "holds no images");
        var total = new ExactSum();
        var first = new ExactSum();
        var max = double.NegativeInfinity;
        var perImage = file.Height * file.Width;
        file.ReadImages(256, (start, singles, doubles) =>
        {
            var length = Math.Max(singles.Length, doubles.Length);
            for (var i = 0; i < length; i++)
            {
                var v = singles.Length > 0 ? singles[i] : doubles[i];
                total.Add(v);
                if (start == 0 && i < perImage) first.Add(v);
                if (v > max) max = v;
            }
        });
        var counts = new Dictionary<string, int> { ["0"] = 0, ["1"] = 0 };
        foreach (var label in file.Labels) counts[label.ToString(System.Globalization.CultureInfo.InvariantCulture)]++;
        var nmuons = file.Info.TryGetValue("Nmuons", out var column) ? column.Sum() : (double?)null;
        return new SwgoSummary(path, file.Count, file.Height, file.Width, file.DataDtype, [.. file.Info.Keys], counts,
            total.Value, first.Value, file.Labels[0], file.Labels[^1], nmuons, max);
    }
}
