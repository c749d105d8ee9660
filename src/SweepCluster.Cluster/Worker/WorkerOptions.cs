using System.Collections.Immutable;
using System.Globalization;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Cluster.Worker;

/// <param name="Gpus">The GPU ids this worker offers (detected with TorchSharp, or as configured).</param>
/// <param name="CpuSlots">CPU slots: trials count their <c>cpu</c> against them.</param>
/// <param name="DataDirectory">Shower files for the networks; the cached synthetic set when null.</param>
/// <param name="CheckpointDirectory">
/// Where trials keep a checkpoint after each epoch, one folder per trial: a retried attempt on any worker resumes from it,
/// so across machines it must be a shared filesystem path. None: retried attempts start over.
/// </param>
public sealed record WorkerOptions(ImmutableArray<int> Gpus, double CpuSlots, string? DataDirectory, string? CheckpointDirectory = null)
{
    /// <summary>Reads <c>--gpus auto|none|0,1</c>: auto asks TorchSharp which CUDA devices there are.</summary>
    public static ImmutableArray<int> ParseGpus(string text) => text.Trim() switch
    {
        "auto" => [.. Devices.CudaDevices()],
        "none" or "" => [],
        var list => [.. list.Split(',').Select(id => int.TryParse(id.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var gpu)
            ? gpu
            : throw new FormatException($"--gpus takes auto, none or GPU ids like 0,1 (got '{text}')"))],
    };

    /// <summary>Torch threads per trial: the cores shared between the trials that can run at once.</summary>
    public int ThreadsPerTrial => Math.Max(1, (int)(Environment.ProcessorCount / Math.Max(1, CpuSlots)));
}
