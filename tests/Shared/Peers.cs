using System.Diagnostics;

namespace SweepCluster.Testing;

/// <summary>
/// Debian's Python with h5py, pandas and PyTables: the peers that write reference files. `make test` installs
/// them (see the Makefile); the first python3 on PATH may be another one, so Debian's is named explicitly.
/// </summary>
internal static class Peers
{
    public const string Python = "/usr/bin/python3";

    /// <summary>The category of tests that need a peer <c>make test</c> installs; <c>make test-fast</c> leaves them out.</summary>
    public const string Category = "peer";

    /// <summary>Runs a Python script with arguments; fails the test with its stderr when it fails.</summary>
    public static string RunPython(string script, params string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add("-");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("python peer did not finish in 2 minutes");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"python peer failed ({process.ExitCode}):\n{stderr.Result}");
        return stdout.Result;
    }
}
