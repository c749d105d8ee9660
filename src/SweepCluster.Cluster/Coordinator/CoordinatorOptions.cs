
namespace SweepCluster.Cluster.Coordinator;

/// <summary>How the coordinator runs; <see cref="Default"/> for a real cluster.</summary>
/// <param name="RunsDirectory">Where each sweep's run directory is made (one folder per sweep, one per trial inside).</param>
/// <param name="SnapshotEvery">Journal events between snapshots of every sweep: recovery reads the last snapshot and the events after it.</param>
/// <param name="RecoveryGrace">How long a recovered coordinator waits for workers to report the attempts its journal shows running before it retries them.</param>
/// <param name="Clock">What the coordinator reads the time from: the system's, or a test's own to make grace periods and stalls deterministic.</param>
/// <param name="KeepEndedSweeps">
/// Keep ended sweeps whole in memory, for <see cref="GetSweep"/> (<c>sweepctl run</c>, one sweep in one process). Otherwise an
/// ended sweep whose sweep.json is written shrinks to its header, best and troubled trials, and its trials are read from that file.
/// </param>
/// <param name="WarmStartAnywhere">
/// Warm-start from run folders outside <paramref name="RunsDirectory"/> (<c>sweepctl run</c>, whose user owns the machine); a cluster's
/// coordinator reads only its own runs folder, whatever path a submission names.
/// </param>
public sealed record CoordinatorOptions(string RunsDirectory, int SnapshotEvery, TimeSpan RecoveryGrace, TimeProvider? Clock = null, bool KeepEndedSweeps = false,
    bool WarmStartAnywhere = false)
{
    public static CoordinatorOptions Default(string runsDirectory) => new(runsDirectory, 2000, TimeSpan.FromSeconds(15));

    public DateTimeOffset Now => (Clock ?? TimeProvider.System).GetUtcNow();
}
