using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Journal;

namespace SweepCluster.Cluster.Tests;

/// <summary>What the cluster keeps in a real SQLite journal file: a lease with one holder at a time, and the journal's identity.</summary>
public sealed class JournalDatabaseTests
{
    private string _folder = null!;
    private JournalDatabase _table = null!;

    [SetUp]
    public void CreateJournal()
    {
        _folder = Directory.CreateTempSubdirectory("sweep-lease-").FullName;
        _table = new JournalDatabase(new JournalOptions.Sqlite(Path.Combine(_folder, "journal.db")));
    }

    [TearDown]
    public void DeleteJournal() => Directory.Delete(_folder, recursive: true);

    private static readonly TimeSpan Long = TimeSpan.FromMinutes(1);

    [Test]
    public void The_lease_has_one_holder_who_may_renew_it_and_whom_another_side_cannot_displace()
    {
        Assert.That(_table.TryHoldLease("split", "side-a", Long), Is.True);
        Assert.That(_table.TryHoldLease("split", "side-b", Long), Is.False);
        Assert.That(_table.TryHoldLease("split", "side-a", Long), Is.True, "renewed by its holder");
        Assert.That(_table.TryHoldLease("other", "side-b", Long), Is.True, "another lease is another row");
    }

    [Test]
    public void A_lapsed_lease_goes_to_the_next_side_that_asks_and_a_release_frees_it_only_from_its_holder()
    {
        Assert.That(_table.TryHoldLease("split", "side-a", TimeSpan.FromSeconds(-1)), Is.True, "held, already lapsed: its holder died without renewing");
        Assert.That(_table.TryHoldLease("split", "side-b", Long), Is.True);

        _table.ReleaseLease("split", "side-a");
        Assert.That(_table.TryHoldLease("split", "side-a", Long), Is.False, "a release by one who does not hold it changes nothing");
        _table.ReleaseLease("split", "side-b");
        Assert.That(_table.TryHoldLease("split", "side-a", Long), Is.True);
    }

    [Test]
    public void A_journal_keeps_the_identity_made_when_first_asked_and_another_journal_has_another()
    {
        var identity = _table.Identity();
        Assert.That(new JournalDatabase(new JournalOptions.Sqlite(Path.Combine(_folder, "journal.db"))).Identity(), Is.EqualTo(identity), "a second coordinator node on the same file");
        Assert.That(new JournalDatabase(new JournalOptions.Sqlite(Path.Combine(_folder, "other.db"))).Identity(), Is.Not.EqualTo(identity));
    }
}
