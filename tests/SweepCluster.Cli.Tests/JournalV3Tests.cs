using System.Text.Json.Nodes;
using static SweepCluster.Cli.Tests.ClusterCommands;
using static SweepCluster.Cli.Tests.StoredDocuments;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A journal written by the last release before sweeps stopped stalling each other and progress was pushed
/// (tests/fixtures/journal-v3: its README says how), holding an ended, an extended, a confirmed, a warm-started and a
/// running sweep. A node of this release on a copy shows every ended sweep as that release did, completes the running one
/// with every trial ended before the kill unchanged, and goes on: an ended sweep extends.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class JournalV3Tests
{
    private const string Fixture = "journal-v3";
    private const string Running = "a8518f41";
    private const int RunningTrials = 400;
    private static readonly Dictionary<string, string> Ended = new() { ["ended"] = "42a7c01c", ["extended"] = "e0d39d4f", ["confirmed"] = "a85fa701", ["warm"] = "8cc6d5bc" };

    private NodeProcesses _nodes = null!;

    [SetUp]
    public void CreateNodes() => _nodes = new NodeProcesses();

    [TearDown]
    public void StopNodes() => _nodes.Dispose();

    private static JsonNode Expected(string name) => StoredDocuments.Expected(Fixture, name);

    private static void AssertSame(JsonNode expected, JsonNode actual, string what) => StoredDocuments.AssertSame(expected, actual, what, "v3");

    [TestCase(true, TestName = "A node on a v3 journal and its run folders shows its ended sweeps unchanged, completes the running one and extends an ended one")]
    [TestCase(false, TestName = "A node on a v3 journal without its run folders replays it and does the same")]
    public void Recovers(bool withRunFolders)
    {
        var store = Path.Combine(_nodes.Root, "store");
        Directory.CreateDirectory(store);
        if (withRunFolders) TestFolders.Copy(RepoPaths.Fixture(Fixture, "runs"), Path.Combine(store, "runs"));
        File.Copy(RepoPaths.Fixture(Fixture, "journal.db"), Path.Combine(store, "journal.db"));
        var node = _nodes.Start("coordinator,worker", extra: "--cpu-slots 2", store: store);

        foreach (var (name, id) in Ended)
        {
            AssertSame(InStore(Expected($"{name}-status.json"), store), AsNode(Json(node.Address, "sweep", "status", "-i", id)), $"the {name} sweep's status");
            AssertSame(Expected($"{name}-trials.json"), AsNode(Json(node.Address, "sweep", "trials", "-i", id, "-k", "100000", "--order", "index")), $"the {name} sweep's trials");
            AssertSame(InStore(Listed(Expected("list.json"), id), store), Listed(AsNode(Json(node.Address, "sweep", "list")), id), $"the {name} sweep in sweep list");
        }
        AssertSame(Expected("confirmed-verdict.json"), AsNode(Json(node.Address, "sweep", "verdict", "-i", Ended["confirmed"])), "the confirmation's verdict");

        var watch = CliRunner.Run(node.Address, "sweep", "watch", "-i", Running);
        Assert.That(watch.ExitCode, Is.Zero, watch.Stderr);
        var trials = Json(node.Address, "sweep", "trials", "-i", Running, "-k", "100000").GetProperty("trials").EnumerateArray()
            .Select(AsNode).ToDictionary(t => t["index"]!.GetValue<int>());
        Assert.That(trials.Keys, Is.EquivalentTo(Enumerable.Range(0, RunningTrials)), "every trial once");
        var endedBeforeTheKill = Expected("running-trials.json")["trials"]!.AsArray().Where(t => t!["status"]!.GetValue<string>() != "running").ToList();
        Assert.That(endedBeforeTheKill, Has.Count.GreaterThan(100), "the fixture's sweep was killed well into its run");
        foreach (var trial in endedBeforeTheKill)
            AssertSame(trial!, trials[trial!["index"]!.GetValue<int>()], $"trial {trial["index"]}, ended before the kill,");

        var extended = CliRunner.Run(node.Address, "sweep", "extend", "-i", Ended["ended"], "-t", "+5");
        Assert.That(extended.ExitCode, Is.Zero, extended.Stderr);
        Assert.That(CliRunner.Run(node.Address, "sweep", "watch", "-i", Ended["ended"]).ExitCode, Is.Zero);
        Assert.That(Json(node.Address, "sweep", "status", "-i", Ended["ended"]).GetProperty("done").GetInt32(), Is.EqualTo(45), "an ended v3 sweep goes on");
    }
}
