using System.Collections.Immutable;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Trials;

/// <summary>One attempt of one trial, as a worker runs it.</summary>
/// <param name="DataDirectory">Shower files for the networks; the cached synthetic set when null.</param>
/// <param name="ArtifactDirectory">The trial's folder under the sweep's run directory.</param>
/// <param name="Threads">Torch's intra-op threads for this process, so concurrent trials share the cores rather than fight.</param>
/// <param name="Command">The user's program, when the trial runs one instead of a built-in trainer.</param>
public sealed record TrialJob(
    string Trainer,
    ParamValue.Map Params,
    long Seed,
    string Device,
    int? Epochs,
    string? DataDirectory,
    string ArtifactDirectory,
    string? CheckpointDirectory,
    int? Threads = null,
    CommandJob? Command = null,
    TrialId? Id = null);

/// <summary>Which attempt of which trial a job is: a command sees it in its environment.</summary>
public sealed record TrialId(string SweepId, int Index, int Attempt);

/// <summary>A trial of the user's program: its <c>run:</c> entries, where they run, and what they report.</summary>
/// <param name="Commands">The entries, run in order (<see cref="Spec.CommandWords"/>).</param>
/// <param name="CodeDirectory">The working directory: the sweep's code folder.</param>
/// <param name="Metric">The metric whose name makes a line of output a report.</param>
/// <param name="DataDirectory">The experiment's <c>data</c> folder (relative ones in the code folder), used when the node names none.</param>
/// <param name="Gpus">The GPUs the attempt was given (<c>CUDA_VISIBLE_DEVICES</c>); empty on CPU slots.</param>
/// <param name="CodePackage">The hash of the code folder's package: the worker runs its unpacked copy, and <paramref name="CodeDirectory"/> is where it came from.</param>
public sealed record CommandJob(
    ImmutableArray<string> Commands,
    string CodeDirectory,
    string Metric,
    string? DataDirectory = null,
    ImmutableArray<int>? Gpus = null,
    string? CodePackage = null)
{
    /// <summary>The data folder the trial is given: the node's own, else the experiment's (relative ones in the code folder).</summary>
    public string? DataFolder(string? nodeData) =>
        nodeData ?? (DataDirectory is { } data ? Path.GetFullPath(Path.Combine(CodeDirectory, data)) : null);

    /// <summary>The trial runs a .NET trainer of the user's (an assembly) rather than a program.</summary>
    public bool RunsAssembly => Commands is [var only] && Spec.KnownTrainers.AssemblyEntry(only) is not null;
}

public sealed record TrialOutcome(
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<EpochReport> Epochs,
    IReadOnlyDictionary<string, string> Artifacts)
{
    /// <summary>Why the result is suspect though the trial completed (a classifier that predicts one class for everything).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The data folder the trial read (its lineage fingerprints it); null when it read none.</summary>
    public string? DataFolder { get; init; }

    /// <summary>The trainer's libraries and their versions, for the trial's lineage (<c>TorchSharp 0.107.0</c>).</summary>
    public string? Runtime { get; init; }
}

/// <summary>How far a running epoch has got: its samples trained of those it has, and the pace (samples a second, 0 until measured).</summary>
public sealed record EpochProgress(int Epoch, long Samples, long EpochSamples, double SamplesPerSecond = 0)
{
    public double Fraction => EpochSamples > 0 ? Math.Clamp((double)Samples / EpochSamples, 0, 1) : 0;
}

/// <summary>What a trainer reports after every epoch: enough to show progress and to stop hopeless trials early.</summary>
/// <param name="Value">The epoch's value of the metric the sweep watches (test_f1 for the networks).</param>
/// <param name="Samples">Training samples processed in the epoch.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, double Value, double Seconds, long Samples);
