using System.Collections.Immutable;
namespace SweepCluster.Node.Endpoint;

// The data of the commands that are not about a sweep's trials (those are in SweepCluster.Core.Results).

/// <summary><c>sweep submit</c>.</summary>
public sealed record SweepSubmission(string Id, int TotalTrials)
{
    /// <summary>With <c>--warm-start</c> or <c>warm_start:</c>: how many earlier trials were used, and why others were not.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public SweepCluster.Core.Sweeps.WarmStartSummary? WarmStart { get; init; }
}

/// <summary><c>sweep cancel</c>.</summary>
public sealed record SweepCancellation(string Id, string Message);

/// <summary><c>sweep enqueue</c>.</summary>
/// <param name="Ahead">Configurations enqueued before this one and not yet started.</param>
public sealed record TrialEnqueuing(string Id, ImmutableDictionary<string, string> Values, int Ahead);

/// <summary><c>sweep extend</c>.</summary>
public sealed record SweepExtension(string Id, int Added, int TotalTrials);

/// <summary><c>sweep points</c>: a sweep's trials as columns, by index; <paramref name="Value"/> is null where a trial has no result; <paramref name="Params"/> holds the parameters that vary.</summary>
/// <param name="LogScaled">The parameters searched on a log scale, plotted on log axes.</param>
/// <param name="Importance">Each parameter's share of the importance (PED-ANOVA, as in the report), largest first.</param>
public sealed record SweepPoints(string Id, string Metric, int[] Index, Core.Results.TrialStatus[] Status, double?[] Value, Dictionary<string, object?[]> Params,
    string[] LogScaled, IReadOnlyList<ParameterImportance> Importance);

public sealed record ParameterImportance(string Parameter, double Importance);

/// <summary><c>sweep report</c>: what the client draws a report from.</summary>
public sealed record SweepReportSources(IReadOnlyList<SweepReportSource> Sweeps);

/// <param name="Experiment">The experiment as submitted; null for a sweep that ended before coordinators kept them.</param>
/// <param name="Trials">Every trial with its curve, by index.</param>
/// <param name="CodeDirectory">The folder a sweep of the user's program ran in (absent for built-in trainers, and from older nodes).</param>
public sealed record SweepReportSource(Core.Results.SweepHeader Header, string? Experiment, string? Source, IReadOnlyList<Core.Results.TrialDocument> Trials,
    string? CodeDirectory = null);

/// <summary><c>sweep artifacts</c>: the trial's files on the worker that ran it.</summary>
/// <param name="Directory">The trial's folder on that worker's disk.</param>
public sealed record ArtifactList(string Sweep, int Index, string Node, string Directory, IReadOnlyList<Cluster.Worker.ArtifactFile> Files);

/// <summary><c>cluster show</c>.</summary>
public sealed record ClusterMembers(IReadOnlyList<ClusterMember> Members);

public sealed record ClusterMember(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable);

/// <summary><c>cluster leader</c>.</summary>
public sealed record ClusterLeader(string Leader);

/// <summary><c>cluster leave</c> and <c>cluster down</c>: the member and <c>leave</c> or <c>down</c>.</summary>
public sealed record MemberChange(string Address, string Action);

/// <summary><c>node show</c>.</summary>
public sealed record WorkerList(IReadOnlyList<WorkerDocument> Workers);

/// <param name="Problem">Why the worker takes no trials now (it cannot write its runs folder); absent while it takes them.</param>
public sealed record WorkerDocument(string Node, IReadOnlyList<int> Gpus, double CpuSlots, double CpuBusy, IReadOnlyList<string> Running, int TrialsDone,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Problem = null);
