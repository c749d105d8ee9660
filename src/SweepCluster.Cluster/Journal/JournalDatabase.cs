using System.Data.Common;
using SweepCluster.Cluster.Hosting;

namespace SweepCluster.Cluster.Journal;

/// <summary>
/// What the cluster keeps in the journal's own database (SQLite or PostgreSQL) beside the journal: the split-brain lease
/// (held by the owner its row names until the row's expiry; taking it is one conditional upsert, so two sides of a
/// partition never both hold it) and the journal's identity (made once, so coordinator nodes can tell whether they share it).
/// </summary>
public sealed class JournalDatabase(JournalOptions journal)
{
    private const string Create = """
        CREATE TABLE IF NOT EXISTS sweep_lease (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_ms BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS sweep_journal_identity (one INTEGER PRIMARY KEY CHECK (one = 1), id TEXT NOT NULL);
        """;

    private const string Take = """
        INSERT INTO sweep_lease (name, owner, expires_ms) VALUES (@name, @owner, @expires)
        ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_ms = excluded.expires_ms
        WHERE sweep_lease.owner = excluded.owner OR sweep_lease.expires_ms < @now
        """;

    /// <summary>Where the journal is, for messages: the file, or the PostgreSQL server and database (never the password).</summary>
    public string Description => journal switch
    {
        JournalOptions.Sqlite sqlite => sqlite.File,
        JournalOptions.PostgreSql postgres => new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString) is var b ? $"PostgreSQL database {b.Database} on {b.Host}" : "",
        _ => "memory",
    };

    /// <summary>The journal's identity, made by whichever coordinator node asks first.</summary>
    public string Identity()
    {
        using var connection = Open();
        Execute(connection, "INSERT INTO sweep_journal_identity (one, id) VALUES (1, @id) ON CONFLICT (one) DO NOTHING", ("id", Guid.NewGuid().ToString("N")));
        using var read = Command(connection, "SELECT id FROM sweep_journal_identity WHERE one = 1");
        return (string)read.ExecuteScalar()!;
    }

    /// <summary>Takes or renews the lease; true when <paramref name="owner"/> holds it afterwards.</summary>
    public bool TryHoldLease(string name, string owner, TimeSpan duration)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var connection = Open();
        Execute(connection, Take, ("name", name), ("owner", owner), ("expires", now + (long)duration.TotalMilliseconds), ("now", now));
        using var read = Command(connection, "SELECT owner FROM sweep_lease WHERE name = @name", ("name", name));
        return read.ExecuteScalar() as string == owner;
    }

    /// <summary>Gives the lease back when <paramref name="owner"/> holds it; true when it no longer does.</summary>
    public bool ReleaseLease(string name, string owner)
    {
        using var connection = Open();
        Execute(connection, "DELETE FROM sweep_lease WHERE name = @name AND owner = @owner", ("name", name), ("owner", owner));
        return true;
    }

    private DbConnection Open()
    {
        DbConnection connection = journal switch
        {
            JournalOptions.Sqlite sqlite => new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={sqlite.File};Default Timeout=5"),
            JournalOptions.PostgreSql postgres => new Npgsql.NpgsqlConnection(postgres.ConnectionString),
            _ => throw new InvalidOperationException("a journal in memory holds no lease"),
        };
        connection.Open();
        Execute(connection, Create);
        return connection;
    }

    private static void Execute(DbConnection connection, string sql, params (string Name, object Value)[] values)
    {
        using var command = Command(connection, sql, values);
        command.ExecuteNonQuery();
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] values)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 5;
        foreach (var (name, value) in values)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
