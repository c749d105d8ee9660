namespace SweepCluster.Training.Data;

/// <summary>
/// The embedded default dataset: generated showers written as SWGO files, once per (size, seed), into a
/// cache folder, so that every later run reads them as it would read the real files.
/// </summary>
public static class SyntheticShowers
{
    public const int DefaultTrain = 10_000;
    public const int DefaultTest = 2_500;
    public const long DefaultSeed = 1;

    /// <summary><c>$SWEEP_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/sweepcluster</c>, else <c>~/.cache/sweepcluster</c>.</summary>
    public static string CacheRoot()
    {
        var explicitDir = Environment.GetEnvironmentVariable("SWEEP_CACHE_DIR");
        if (!string.IsNullOrEmpty(explicitDir)) return explicitDir;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg;
        return Path.Combine(root, "sweepcluster");
    }

    /// <summary>The folder holding the synthetic set for these sizes and seed, generating it first if needed.</summary>
    public static string EnsureCached(int train = DefaultTrain, int test = DefaultTest, long seed = DefaultSeed, Action<string, int, int>? progress = null)
    {
        var directory = Path.Combine(CacheRoot(), $"synthetic-train{train}-test{test}-seed{seed}");
        using var exclusive = CacheLock(directory);
        if (!File.Exists(Path.Combine(directory, TrainFile(train))) || !File.Exists(Path.Combine(directory, TestFile(test))))
            Write(directory, train, test, seed, progress);
        return directory;
    }

    /// <summary>Writes Train_*.h5 and Test_*.h5 (the test set from its own seed stream, so it never repeats training showers).</summary>
    public static (string Train, string Test) Write(string directory, int train, int test, long seed, Action<string, int, int>? progress = null)
    {
        Directory.CreateDirectory(directory);
        var trainPath = Path.Combine(directory, TrainFile(train));
        var testPath = Path.Combine(directory, TestFile(test));
        SwgoWriter.Write(trainPath, ShowerGenerator.Generate(train, seed, trainPath, Reporter(progress, "train", train)));
        SwgoWriter.Write(testPath, ShowerGenerator.Generate(test, unchecked(seed * 7919 + 104729), testPath, Reporter(progress, "test", test)));
        return (trainPath, testPath);
    }

    private static string TrainFile(int n) => $"Train_Synthetic_alt5200m_N{n}.h5";

    private static string TestFile(int n) => $"Test_Synthetic_alt5200m_N{n}.h5";

    private static Action<int>? Reporter(Action<string, int, int>? progress, string part, int total) =>
        progress is null ? null : done => progress(part, done, total);

    /// <summary>Processes that start together (a test run's nodes, say) generate the set once between them.</summary>
    private static FileStream CacheLock(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, ".lock");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 6000)
            {
                Thread.Sleep(100);
            }
        }
    }
}
