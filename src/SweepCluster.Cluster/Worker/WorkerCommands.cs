using SweepCluster.Cluster.Serialization;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;

namespace SweepCluster.Cluster.Worker;

/// <summary>Run one attempt of a trial on the given device; the worker reports progress and the end to the coordinator.</summary>
/// <param name="ArtifactDirectory">
/// The trial's folder relative to the worker's runs folder (<c>name-id/trial-0003</c>), made on the worker's own disk;
/// an absolute path (as release v1's coordinator sent) is used as it is.
/// </param>
/// <param name="TraceParent">The sweep span's W3C trace context: the attempt's span becomes its child.</param>
/// <param name="Command">What the attempt runs when the sweep runs the user's program; null for a built-in trainer.</param>
public sealed record StartTrial(
    string SweepId,
    int Index,
    int Attempt,
    string Trainer,
    ParamValue.Map Params,
    long Seed,
    string Device,
    int? Epochs,
    double? TimeoutSeconds,
    string ArtifactDirectory,
    string? TraceParent = null,
    CommandJob? Command = null) : ISweepMessage;

public sealed record CancelTrial(string SweepId, int Index, int Attempt) : ISweepMessage;

/// <summary>The coordinator has recorded how the attempt ended: the worker stops sending its <see cref="Coordinator.ReportTrialEnded"/>.</summary>
public sealed record ForgetTrialEnd(string SweepId, int Index, int Attempt) : ISweepMessage;

/// <summary>
/// The node is leaving: give every running attempt back to the coordinator (they run again elsewhere or later, from their
/// last checkpoint) and take no more. Answered with <see cref="AttemptsReleased"/> once the coordinator has recorded them all.
/// Sent within the node, by its shutdown.
/// </summary>
public sealed record ReleaseAttempts(string Reason) : Akka.Actor.INoSerializationVerificationNeeded;

public sealed record AttemptsReleased(int Count) : Akka.Actor.INoSerializationVerificationNeeded;
