namespace SweepCluster.Cluster.Serialization;

/// <summary>Marks the messages that may cross nodes; all are bound to <see cref="SweepMessageSerializer"/>.</summary>
public interface ISweepMessage;
