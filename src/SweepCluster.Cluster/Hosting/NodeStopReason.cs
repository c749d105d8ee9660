namespace SweepCluster.Cluster.Hosting;

/// <summary>Why a node stopped by itself, in one line that <c>node start</c> ends with (not a crash: a setting to fix).</summary>
public sealed class NodeStopReason(string message) : Akka.Actor.CoordinatedShutdown.Reason
{
    public string Message { get; } = message;

    public override int ExitCode => 1;

    public override string ToString() => Message;
}
