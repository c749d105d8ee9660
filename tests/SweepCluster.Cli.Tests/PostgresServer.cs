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
        _server = Start(Path.Combine(binaries, "postgres"), "-D", _data, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", _data,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off");
        NodeProcesses.WaitUntil(Accepts, TimeSpan.FromSeconds(30), $"PostgreSQL to listen on port {Port}");
    }

    public int Port { get; } = FreePorts.Next();

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=sweep;Database=postgres";

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient("127.0.0.1", Port);
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
