namespace SweepCluster.Training.Data;

/// <summary>
/// Shower images held in memory once, as float32, read-only for the trials that share them: a trial
/// copies only its batches. Pixel statistics for normalization are computed once, on first use.
/// </summary>
public sealed class ShowerSet
{
    private readonly Lazy<(float Mean, float Std)> _statistics;

    public ShowerSet(string source, int height, int width, float[] pixels, byte[] labels, IReadOnlyDictionary<string, double[]> info)
    {
        if (pixels.Length != labels.Length * height * width)
            throw new ArgumentException($"{labels.Length} labels need {labels.Length * height * width} pixels, got {pixels.Length}", nameof(pixels));
        Source = source;
        Height = height;
        Width = width;
        Pixels = pixels;
        Labels = labels;
        Info = info;
        _statistics = new Lazy<(float, float)>(ComputeStatistics);
    }

    public string Source { get; }

    public int Count => Labels.Length;

    public int Height { get; }

    public int Width { get; }

    public int PixelsPerImage => Height * Width;

    /// <summary>Every image, one after the other, row-major. Shared: never written after loading.</summary>
    public float[] Pixels { get; }

    /// <summary>0 = iron, 1 = proton.</summary>
    public byte[] Labels { get; }

    /// <summary>The per-shower columns of the file's <c>info</c> frame.</summary>
    public IReadOnlyDictionary<string, double[]> Info { get; }

    /// <summary>Mean and standard deviation over every pixel of the set: one scalar each, as the study normalized.</summary>
    public (float Mean, float Std) PixelStatistics => _statistics.Value;

    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);

    public static ShowerSet Load(string path)
    {
        using var file = SwgoFile.Open(path);
        var pixels = new float[(long)file.Count * file.Height * file.Width];
        var perImage = file.Height * file.Width;
        file.ReadImages(256, (first, singles, doubles) =>
        {
            var target = pixels.AsSpan(first * perImage);
            if (singles.Length > 0) singles.CopyTo(target);
            else for (var i = 0; i < doubles.Length; i++) target[i] = (float)doubles[i];
        });
        return new ShowerSet(path, file.Height, file.Width, pixels, file.Labels, file.Info);
    }

    private (float, float) ComputeStatistics()
    {
        double sum = 0, squares = 0;
        foreach (var v in Pixels)
        {
            sum += v;
            squares += (double)v * v;
        }
        var mean = sum / Pixels.Length;
        var variance = Math.Max(0, squares / Pixels.Length - mean * mean);
        return ((float)mean, (float)Math.Sqrt(variance));
    }
}
