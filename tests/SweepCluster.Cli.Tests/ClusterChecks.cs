using System.Text.Json;
using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>What the process tests wait for and check on a cluster, through a node's command endpoint.</summary>
internal static class ClusterChecks
{
    /// <summary>Nodes with little to do: unreachable after 5 s of silence, downed 3 s later (the defaults are 10 s and 20 s).</summary>
    public const string FastFailureDetection = "--heartbeat-pause 5 --down-after 3";

    private static readonly TimeSpan SweepTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Waits for the workers' offers and for every member to be up in the coordinator's view: a node killed while another is
    /// still joining leaves the split-brain resolver counting the joining one out, and the reachable side may be the one it downs.
    /// </summary>
    public static void WaitForWorkers(NodeProcesses.Node coordinator, int count, int members)
    {
        NodeProcesses.WaitUntil(() => TryJson(coordinator.Address, "node", "show")?.GetProperty("workers").GetArrayLength() == count,
            TimeSpan.FromSeconds(60), $"{count} workers to offer their slots");
        NodeProcesses.WaitUntil(() => CliRunner.Run(coordinator.Address, "cluster", "show").Stdout.Split('\n').Count(l => l.Contains("| up |")) == members,
            TimeSpan.FromSeconds(60), $"{members} members to be up");
    }

    public static void WaitForCompletion(NodeProcesses.Node node, string id) =>
        NodeProcesses.WaitUntil(() => TryJson(node.Address, "sweep", "status", "-i", id)?.GetProperty("state").GetString() == "completed",
            SweepTimeout, $"sweep {id} to complete through {node.Address}");

    public static List<JsonElement> Trials(NodeProcesses.Node node, string id) =>
        [.. Json(node.Address, "sweep", "trials", "-i", id).GetProperty("trials").EnumerateArray()];

    /// <summary>Every trial ended once, completed with its own result, and the best is the failure-free plan's.</summary>
    public static List<JsonElement> AssertEveryTrialEndedOnce(NodeProcesses.Node node, string id, string file, int trials)
    {
        var status = Json(node.Address, "sweep", "status", "-i", id);
        Assert.That(status.GetProperty("summary").GetProperty("completed").GetInt32(), Is.EqualTo(trials));
        Assert.That(status.GetProperty("summary").GetProperty("failed").GetInt32(), Is.Zero);
        Assert.That(status.GetProperty("running").GetArrayLength(), Is.Zero);
        var ended = Trials(node, id);
        Assert.That(ended.Select(t => t.GetProperty("index").GetInt32()).Order(), Is.EqualTo(Enumerable.Range(0, trials)), "each trial once");
        Assert.That(ended.Select(t => t.GetProperty("status").GetString()), Is.All.EqualTo("completed"));
        foreach (var trial in ended)
            Assert.That(trial.GetProperty("metrics").GetProperty("value").GetDouble(), Is.EqualTo(trial.GetProperty("params").GetProperty("value").GetDouble()),
                "a trial's result is its own attempt's, not another trial's");

        var plan = JsonDocument.Parse(CliRunner.Run("plan", file, "--format", "json").Stdout).RootElement.GetProperty("trials").EnumerateArray()
            .Select(t => (Index: t.GetProperty("index").GetInt32(), Value: t.GetProperty("params").GetProperty("value").GetDouble())).ToList();
        var expected = plan.OrderByDescending(t => t.Value).First();
        var best = Json(node.Address, "sweep", "best", "-i", id);
        Assert.That((best.GetProperty("index").GetInt32(), best.GetProperty("metrics").GetProperty("value").GetDouble()), Is.EqualTo(expected),
            "the best trial of a failure-free run of the same plan");
        var runDirectory = status.GetProperty("run_directory").GetString()!;
        Assert.That(File.Exists(Path.Combine(runDirectory, "sweep.json")));
        return ended;
    }

    public static void AssertNothingRuns(NodeProcesses.Node coordinator) =>
        NodeProcesses.WaitUntil(() => Json(coordinator.Address, "node", "show").GetProperty("workers").EnumerateArray()
            .All(w => w.GetProperty("running").GetArrayLength() == 0 && w.GetProperty("cpu_busy").GetDouble() == 0), TimeSpan.FromSeconds(10), "every slot to be free");

    public static bool Runs(NodeProcesses.Node coordinator, NodeProcesses.Node worker) =>
        TryJson(coordinator.Address, "node", "show")?.GetProperty("workers").EnumerateArray()
            .Any(w => w.GetProperty("node").GetString() == worker.ClusterAddress && w.GetProperty("running").GetArrayLength() > 0) == true;

    /// <summary>The sweep's trials that have ended (0 while the coordinator cannot answer).</summary>
    public static int Done(NodeProcesses.Node coordinator, string id) => TryJson(coordinator.Address, "sweep", "status", "-i", id)?.GetProperty("done").GetInt32() ?? 0;

    /// <summary>A kill point the seed picks by progress, not by time: once <paramref name="ended"/> trials have ended and <paramref name="ready"/> holds.</summary>
    public static void WaitForKillPoint(NodeProcesses.Node coordinator, string id, int ended, Func<bool> ready) =>
        NodeProcesses.WaitUntil(() => Done(coordinator, id) >= ended && ready(), TimeSpan.FromSeconds(60), $"{ended} trials to end and the kill point to come");
}
