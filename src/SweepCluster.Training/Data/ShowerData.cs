using System.Collections.Concurrent;

namespace SweepCluster.Training.Data;

/// <summary>A training and a test set, as the study's Train_*.h5 and Test_*.h5 files.</summary>
public sealed record ShowerData(ShowerSet Train, ShowerSet Test)
{
    private static readonly ConcurrentDictionary<string, Lazy<ShowerData>> Loaded = new();

    /// <summary>
    /// The data in a directory, loaded once per process and shared by every trial that asks for it, so
    /// concurrent trials cost their models and batches, not another copy of the images.
    /// </summary>
    public static ShowerData Shared(string directory) =>
        Loaded.GetOrAdd(Path.GetFullPath(directory), dir => new Lazy<ShowerData>(() => Load(dir))).Value;

    public static ShowerData Load(string directory)
    {
        if (!Directory.Exists(directory)) throw new DataFileException(directory, "no such directory");
        var train = Single(directory, "Train_*.h5");
        var test = Single(directory, "Test_*.h5");
        var data = new ShowerData(ShowerSet.Load(train), ShowerSet.Load(test));
        if (data.Train.Height != data.Test.Height || data.Train.Width != data.Test.Width)
            throw new DataFileException(test, $"images are {data.Test.Height}x{data.Test.Width} but the training images are {data.Train.Height}x{data.Train.Width}");
        if (data.Train.Height != data.Train.Width)
            throw new DataFileException(train, $"images are {data.Train.Height}x{data.Train.Width}; the networks take square images");
        return data;
    }

    private static string Single(string directory, string pattern)
    {
        var files = Directory.GetFiles(directory, pattern);
        return files.Length switch
        {
            1 => files[0],
            0 => throw new DataFileException(directory, $"no file matching {pattern} (expected one Train_*.h5 and one Test_*.h5)"),
            _ => throw new DataFileException(directory, $"{files.Length} files match {pattern}; keep one"),
        };
    }
}
