using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// Sweeps on one cluster do not stall each other: a GP sampler that takes a second or more to choose each trial past 200 results
/// chooses on threads of its own, and the node's free slots go to the other sweeps meanwhile.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class SweepsSideBySideTests
{
    private NodeProcesses _nodes = null!;

    [SetUp]
    public void CreateNodes() => _nodes = new NodeProcesses();

    [TearDown]
    public void StopNodes() => _nodes.Dispose();

    [Test]
    public void A_sweep_of_zero_second_trials_keeps_at_least_half_its_pace_while_a_GP_sweep_past_200_trials_samples_beside_it()
    {
        var node = _nodes.Start("coordinator,worker", extra: "--cpu-slots 8");
        var history = SubmitAndWait(node, Written("history", Experiments.Branin("random", 220)));
        SubmitAndWait(node, ZeroSecondTrials(seed: 1)); // the node's first trials compile its hot code
        var alone = TrialsPerSecond(node, SubmitAndWait(node, ZeroSecondTrials(seed: 2)));

        var gp = ClusterCommands.Submit(node.Address, Written("gp", Experiments.Branin("gp", 1000, $"warm_start: {history}")));
        NodeProcesses.WaitUntil(() => Done(node, gp) >= 1, TimeSpan.FromSeconds(60), "the GP sweep's first trial");
        var gpDoneBefore = Done(node, gp);
        var beside = TrialsPerSecond(node, SubmitAndWait(node, ZeroSecondTrials(seed: 3)));
        var gpDoneAfter = Done(node, gp);
        Assert.That(CliRunner.Run(node.Address, "sweep", "cancel", "-i", gp).ExitCode, Is.Zero);

        TestContext.Out.WriteLine($"zero-second trials per second: {alone:F0} alone, {beside:F0} beside the GP sweep");
        Assert.That(gpDoneAfter, Is.GreaterThan(gpDoneBefore), "the GP sweep went on sampling and running trials meanwhile");
        Assert.That(beside, Is.GreaterThanOrEqualTo(alone / 2),
            $"zero-second trials per second: {alone:F0} alone, {beside:F0} beside a GP sweep fitting 220 results (it ran {gpDoneAfter - gpDoneBefore} trials meanwhile)");
    }

    private string Written(string name, string experiment)
    {
        var path = Path.Combine(_nodes.Root, $"{name}.yml");
        File.WriteAllText(path, experiment);
        return path;
    }

    private string ZeroSecondTrials(int seed) => ClusterCommands.SleepExperiment(_nodes.Root, 2000, 0, seed, steps: 1);

    private static string SubmitAndWait(NodeProcesses.Node node, string file)
    {
        var id = ClusterCommands.Submit(node.Address, file);
        NodeProcesses.WaitUntil(() => State(node, id) == "completed", TimeSpan.FromSeconds(120), $"sweep {id} to complete");
        return id;
    }

    private static string? State(NodeProcesses.Node node, string id) => ClusterCommands.TryJson(node.Address, "sweep", "status", "-i", id)?.GetProperty("state").GetString();

    private static int Done(NodeProcesses.Node node, string id) => ClusterCommands.Json(node.Address, "sweep", "status", "-i", id).GetProperty("done").GetInt32();

    /// <summary>Over the span from the sweep's first start to its last end, as its trials' own records say.</summary>
    private static double TrialsPerSecond(NodeProcesses.Node node, string id)
    {
        var trials = Directory.GetDirectories(Path.Combine(node.Store, "runs"), $"*-{id}")
            .SelectMany(folder => Directory.GetFiles(folder, "trial.json", SearchOption.AllDirectories))
            .Select(file => JsonDocument.Parse(File.ReadAllText(file)).RootElement)
            .Select(t => (Start: t.GetProperty("started_at").GetDateTimeOffset(), End: t.GetProperty("ended_at").GetDateTimeOffset()))
            .ToList();
        return trials.Count / (trials.Max(t => t.End) - trials.Min(t => t.Start)).TotalSeconds;
    }
}
