using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>What the process tests say to a cluster through sweepctl, and the sleep experiments they submit.</summary>
internal static class ClusterCommands
{
    /// <summary>A file with <see cref="Experiments.Sleep"/>'s experiment, without pruning.</summary>
    public static string SleepExperiment(string directory, int trials, double seconds, int seed, int steps = 2, int maxFailures = 3)
    {
        var path = Path.Combine(directory, $"sleep-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, Experiments.Sleep(trials, seconds, steps: steps, seed: seed, extra: $"pruner: none\nmax_failures: {maxFailures}"));
        return path;
    }

    public static JsonElement Json(string address, params string[] words)
    {
        var result = CliRunner.Run([address, .. words, "--format", "json"]);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    /// <summary>The answer, or null while the node cannot give one (its coordinator is moving, say).</summary>
    public static JsonElement? TryJson(string address, params string[] words)
    {
        var result = CliRunner.Run([address, .. words, "--format", "json"]);
        return result.ExitCode == 0 ? JsonDocument.Parse(result.Stdout).RootElement.Clone() : null;
    }

    /// <summary>Submits the experiment file and returns the sweep's id.</summary>
    public static string Submit(string address, string file)
    {
        var submitted = CliRunner.Run(address, "sweep", "submit", "-f", file);
        Assert.That(submitted.ExitCode, Is.Zero, submitted.Stderr);
        return submitted.Stdout.Trim();
    }
}
