using SweepCluster.Cluster.Serialization;

namespace SweepCluster.Cluster.Journal;

// What the cluster keeps in the journal's database, asked of a coordinator node's keeper. A node asks one on its own side of a
// partition to take or give back the split-brain lease, so the side that still reaches the journal is the side that may go on.

/// <summary>Take the lease <paramref name="Name"/> for <paramref name="Owner"/>, or renew it, for <paramref name="Seconds"/>.</summary>
public sealed record HoldLease(string Name, string Owner, double Seconds) : ISweepMessage;

/// <summary>Give the lease back if <paramref name="Owner"/> holds it.</summary>
public sealed record ReleaseLease(string Name, string Owner) : ISweepMessage;

/// <param name="Held">Whether the owner holds the lease now (after a release: whether it was let go).</param>
/// <param name="Error">Why the journal could not be asked.</param>
public sealed record LeaseAnswered(bool Held, string? Error) : ISweepMessage;

/// <summary>Which journal this coordinator node uses.</summary>
public sealed record GetJournalIdentity : ISweepMessage;

/// <param name="Id">The identity stored in the journal's database; null with <paramref name="Error"/>.</param>
/// <param name="Journal">Where the journal is: a file, or a PostgreSQL server and database.</param>
public sealed record JournalIdentified(string? Id, string Journal, string? Error) : ISweepMessage;
