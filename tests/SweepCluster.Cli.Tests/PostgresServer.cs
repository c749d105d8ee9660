using System.Diagnostics;
using System.Net.Sockets;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A throwaway PostgreSQL server from Debian's packages (<c>make test-deps</c> installs them) on a free loopback port, in a
/// temporary data folder, stopped and removed on disposal. PostgreSQL refuses to run as root, so under root it runs as postgres.
/// </summary>
internal sealed class PostgresServer : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("sweep-postgres-").FullName;
    private readonly Process _server;

    public PostgresServer()
    {
        var binaries = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "postgres")))
            .OrderDescending().FirstOrDefault() ?? throw new InvalidOperationException("no PostgreSQL server in /usr/lib/postgresql: run make test-deps");
        if (Environment.UserName == "root") Run("chown", "postgres", _data);
        Run(Path.Combine(binaries, "initdb"), "-D", _data, "-A", "trust", "-U", "sweep", "--no-sync");
        // PostgreSQL cannot listen on a port the system picks, so it listens on no TCP port at all: only on a socket in its own folder.
        _server = Start(Path.Combine(binaries, "postgres"), "-D", _data, "-p", SocketPort, "-k", _data, "-c", "listen_addresses=", "-c", "fsync=off");
        NodeProcesses.WaitUntil(Accepts, TimeSpan.FromSeconds(30), $"PostgreSQL to listen on {Socket}");
    }

    /// <summary>Only names the socket file (.s.PGSQL.5432): nothing listens on a TCP port.</summary>
    private const string SocketPort = "5432";

    private string Socket => Path.Combine(_data, $".s.PGSQL.{SocketPort}");

    public string ConnectionString => $"Host={_data};Port={SocketPort};Username=sweep;Database=postgres";

    private bool Accepts()
    {
        try
        {
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(new UnixDomainSocketEndPoint(Socket));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static ProcessStartInfo As(string program, string[] arguments)
    {
        var asPostgres = Environment.UserName == "root" && program != "chown";
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres) foreach (var word in new[] { "-u", "postgres", "--", program }) start.ArgumentList.Add(word);
        foreach (var word in arguments) start.ArgumentList.Add(word);
        return start;
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(As(program, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {error}{output.Result}");
    }

    private static Process Start(string program, params string[] arguments)
    {
        var process = Process.Start(As(program, arguments))!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public void Dispose()
    {
        if (!_server.HasExited) _server.Kill(entireProcessTree: true);
        _server.WaitForExit(10_000);
        _server.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
