namespace SweepCluster.Core.Sweeps;

/// <summary>How a sweep's folders are named on every node: one run folder per sweep, one folder per trial inside it.</summary>
public static class RunFolders
{
    /// <summary>A trial's folder relative to a runs folder (<c>name-id/trial-0003</c>): each worker makes it under its own.</summary>
    public static string Trial(string runDirectory, int index) => Path.Combine(Path.GetFileName(runDirectory), $"trial-{index:D4}");
}
