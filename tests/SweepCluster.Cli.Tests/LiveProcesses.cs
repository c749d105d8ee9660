namespace SweepCluster.Cli.Tests;

/// <summary>Whether a process the tests started (a trial's program) still runs: a zombie waiting for its parent counts as gone.</summary>
internal static class LiveProcesses
{
    public static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] != "Z";
}
