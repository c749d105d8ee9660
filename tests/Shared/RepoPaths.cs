namespace SweepCluster.Testing;

/// <summary>Paths inside the repository, found from wherever the test or benchmark binary runs.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Experiment(string name) => Path.Combine(Root, "experiments", name);

    /// <summary>Committed test material under <c>tests/fixtures</c>: nothing a test reads lies outside the repository.</summary>
    public static string Fixture(params string[] parts) => Path.Combine([Root, "tests", "fixtures", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SweepCluster.sln"))) return dir.FullName;
        throw new InvalidOperationException("SweepCluster.sln not found above " + AppContext.BaseDirectory);
    }
}
