using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Journal;

namespace SweepCluster.Cli.Tests;

/// <summary>The lease and the journal identity on a real PostgreSQL server, as coordinator nodes on several machines keep them.</summary>
[NonParallelizable]
[Category(Peers.Category)]
public sealed class JournalDatabasePostgresTests
{
    [Test]
    public void The_lease_has_one_holder_until_it_lapses_and_the_identity_is_made_once()
    {
        using var postgres = new PostgresServer();
        var journal = new JournalOptions.PostgreSql(postgres.ConnectionString);
        var (side, other) = (new JournalDatabase(journal), new JournalDatabase(journal));

        Assert.That(side.TryHoldLease("split", "side-a", TimeSpan.FromMinutes(1)), Is.True);
        Assert.That(other.TryHoldLease("split", "side-b", TimeSpan.FromMinutes(1)), Is.False, "another node, the same database");
        Assert.That(side.TryHoldLease("split", "side-a", TimeSpan.FromSeconds(-1)), Is.True, "renewed, and let lapse");
        Assert.That(other.TryHoldLease("split", "side-b", TimeSpan.FromMinutes(1)), Is.True, "a lapsed lease goes to the next side that asks");
        other.ReleaseLease("split", "side-b");
        Assert.That(side.TryHoldLease("split", "side-a", TimeSpan.FromMinutes(1)), Is.True);

        Assert.That(other.Identity(), Is.EqualTo(side.Identity()));
        Assert.That(side.Description, Is.EqualTo("PostgreSQL database postgres on " + new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString).Host));
    }
}
