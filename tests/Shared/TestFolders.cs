namespace SweepCluster.Testing;

/// <summary>Folders as tests lay them out: fixtures copied into a test's own folder.</summary>
internal static class TestFolders
{
    /// <summary>Copies <paramref name="from"/> into <paramref name="to"/>, every file and folder, empty ones included.</summary>
    public static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var folder in Directory.GetDirectories(from)) Copy(folder, Path.Combine(to, Path.GetFileName(folder)));
    }
}
