using System.Text.Json.Serialization;

namespace SweepCluster.Core.Spec;

public enum SamplerKind { Random, Grid, Tpe, Gp }

public enum PrunerKind { None, Median, SuccessiveHalving, Hyperband }

public enum MetricDirection { Maximize, Minimize }

/// <summary>
/// The one rule for which of two values is better: a value's goodness is the value when maximizing and its negation when
/// minimizing, so that larger goodness is better whatever the direction. Every comparison of metric values goes through it.
/// </summary>
public static class MetricDirections
{
    public static double Goodness(this MetricDirection direction, double value) => direction == MetricDirection.Maximize ? value : -value;

    public static bool IsBetter(this MetricDirection direction, double value, double than) => direction.Goodness(value) > direction.Goodness(than);

    /// <summary>The best of <paramref name="values"/> (a NaN only when every value is one); throws on none, as <c>Max</c> does.</summary>
    public static double Best(this MetricDirection direction, IEnumerable<double> values) => values.MaxBy(v => direction.Goodness(v));
}

/// <summary>Which value a trial reports when it ends: its last epoch's (as the study did), or its best epoch's.</summary>
public enum MetricReport { Last, Best }

/// <param name="Report">Left out of documents when <see cref="MetricReport.Last"/>, as files written before it existed read.</param>
public sealed record MetricSpec(
    string Name,
    MetricDirection Direction,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] MetricReport Report = MetricReport.Last)
{
    /// <summary>
    /// The metric of a single run of the user's code that names none (SnapperML's experiments have no metric): the run
    /// completes when its program exits 0, which is its only value; every JSON object it prints is a report whose numbers are kept.
    /// </summary>
    public const string ExitStatus = "exit_status";
}

/// <summary>What one trial needs of a worker: CPU slots, and a whole GPU, a share of one, or none.</summary>
public sealed record ResourceRequest(double Cpu, double Gpu);

/// <summary>A SnapperML-style <c>group</c> experiment: a search space, a trainer and how to judge trials.</summary>
/// <param name="Source">The file it came from, as the user named it; used in messages.</param>
/// <param name="NumTrials">Trials per grid point (the total is this times the number of grid points).</param>
/// <param name="Params">Fixed parameters, passed to every trial unchanged.</param>
/// <param name="Trainer">The trainer name: <c>src/convnet.py</c> in the file becomes <c>convnet</c>.</param>
/// <param name="Seed">The sweep seed: every planned trial derives from it.</param>
/// <param name="StallTimeout">A running trial that neither finishes an epoch nor trains a batch for this long is stopped and retried.</param>
/// <param name="MaxFailures">Retries of a trial after failures that may not happen again (a lost node, a timeout, a stall).</param>
/// <param name="WarmStart">Earlier sweeps (ids or run folders) whose finished trials the sampler sees as observations.</param>
/// <param name="Commands">The <c>run:</c> entries when they name the user's own program (see <see cref="CommandWords"/>); null for a built-in trainer.</param>
/// <param name="CodeDirectory">The folder the commands run in (the experiment's folder, <c>root_path</c> or <c>--code</c>); null for a built-in trainer.</param>
/// <param name="DataDirectory">The experiment's <c>data</c> folder, handed to commands as <c>SWEEP_DATA_DIR</c> when the node names none.</param>
/// <param name="Check">The program answers <c>--check</c> (<c>check: true</c>): it is run so before the sweep, which is refused if it fails.</param>
public sealed record ExperimentSpec(
    string Source,
    string Name,
    int NumTrials,
    SamplerKind Sampler,
    PrunerKind Pruner,
    ResourceRequest Resources,
    TimeSpan? TimeoutPerTrial,
    TimeSpan StallTimeout,
    int MaxFailures,
    ParamValue.Map Params,
    SearchSpace ParamSpace,
    MetricSpec Metric,
    string Trainer,
    long Seed,
    IReadOnlyList<string>? WarmStart = null,
    IReadOnlyList<string>? Commands = null,
    string? CodeDirectory = null,
    string? DataDirectory = null,
    bool Check = false)
{
    /// <summary>The trials run the user's program rather than one of <see cref="KnownTrainers"/>.</summary>
    public bool RunsCommands => Commands is not null;
}

/// <summary>Where a sweep's own code is: the folder its commands run in.</summary>
/// <param name="Readable">
/// This process can look inside it: the files <c>run:</c> names are checked, and a built-in trainer's name means the
/// built-in only when the folder has no such file. A coordinator on another machine cannot: it takes the submitter's word.
/// </param>
/// <param name="Files">The files of the folder's package (relative, <c>/</c> between folders), when it is known by them rather than on this disk.</param>
public sealed record CodeFolder(string Path, bool Readable = true, IReadOnlySet<string>? Files = null)
{
    /// <summary>The folder holds the file <paramref name="relative"/> names (an absolute path: on this disk, where it can be seen).</summary>
    public bool Holds(string relative)
    {
        if (Files is null) return File.Exists(System.IO.Path.Combine(Path, relative));
        if (System.IO.Path.IsPathRooted(relative)) return true; // on the workers' disks, which this package says nothing of
        var parts = new List<string>();
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..") { if (parts.Count == 0) return false; parts.RemoveAt(parts.Count - 1); }
            else if (part != ".") parts.Add(part);
        }
        return Files.Contains(string.Join('/', parts));
    }

    /// <summary>The folder a submission names: the submitter looked inside it, this process may not be able to.</summary>
    public static CodeFolder? Submitted(string? directory) => directory is null ? null : new CodeFolder(directory, Readable: false);

    /// <summary>The folder <c>--code</c> names, else the experiment file's own: where <c>sweepctl</c> looks for the code.</summary>
    public static CodeFolder Of(string experimentFile, string? codeSwitch = null) =>
        new(System.IO.Path.GetFullPath(codeSwitch ?? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(experimentFile))!));
}
