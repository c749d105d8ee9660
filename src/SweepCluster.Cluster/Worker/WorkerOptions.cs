using System.Collections.Immutable;

namespace SweepCluster.Cluster.Worker;

/// <param name="Gpus">The GPU ids this worker offers (detected by the trial runner, or as configured).</param>
/// <param name="CpuSlots">CPU slots: trials count their <c>cpu</c> against them.</param>
/// <param name="DataDirectory">Shower files for the networks; the cached synthetic set when null.</param>
/// <param name="RunsDirectory">This node's runs folder: trials write their artifacts under it, in the folder the coordinator names relative to it.</param>
/// <param name="GpuTrialsOnCpu">Run trials that ask for a GPU on CPU slots: how a cluster without GPUs runs the study's experiments.</param>
/// <param name="CheckpointDirectory">
/// Where trials keep a checkpoint after each epoch, one folder per trial: a retried attempt on any worker resumes from it,
/// so across machines it must be a shared filesystem path. None: retried attempts start over.
/// </param>
/// <param name="LeaveAt">When the node will leave (before its SLURM allocation ends): the worker takes only trials that can finish by then.</param>
public sealed record WorkerOptions(ImmutableArray<int> Gpus, double CpuSlots, string? DataDirectory, string? CheckpointDirectory = null, bool GpuTrialsOnCpu = false,
    string RunsDirectory = "runs", DateTimeOffset? LeaveAt = null)
{
    /// <summary>Torch threads per trial: the cores shared between the trials that can run at once.</summary>
    public int ThreadsPerTrial => Math.Max(1, (int)(Environment.ProcessorCount / Math.Max(1, CpuSlots)));
}
