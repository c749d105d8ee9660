using System.Text.Json.Nodes;
using static SweepCluster.Cli.Tests.ClusterCommands;
using static SweepCluster.Cli.Tests.StoredDocuments;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A journal written by release v1 (tests/fixtures/journal-v1: its README says how) still recovers: a node started on
/// a copy shows the finished sweep as v1 showed it, and completes the sweep that v1 was killed in the middle of.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class JournalV1Tests
{
    private const string Finished = "61c23249";
    private const string Interrupted = "66775f69";

    /// <summary>v1 made absolute run directories on the coordinator; this journal's are under this folder.</summary>
    private const string V1RunsRoot = "/tmp/sweepcluster-legacy";

    private NodeProcesses _nodes = null!;
    private bool _madeV1RunsRoot;

    [SetUp]
    public void CreateNodes()
    {
        _nodes = new NodeProcesses();
        _madeV1RunsRoot = !Directory.Exists(V1RunsRoot);
    }

    [TearDown]
    public void StopNodes()
    {
        _nodes.Dispose();
        if (_madeV1RunsRoot && Directory.Exists(V1RunsRoot)) Directory.Delete(V1RunsRoot, recursive: true);
    }

    private static JsonNode Expected(string name) => StoredDocuments.Expected("journal-v1", name);

    private static void AssertSame(JsonNode expected, JsonNode actual, string what) => StoredDocuments.AssertSame(expected, actual, what, "v1");

    [Test]
    public void A_node_on_a_v1_journal_shows_the_finished_sweep_unchanged_and_completes_the_interrupted_one()
    {
        var store = Path.Combine(_nodes.Root, "store");
        Directory.CreateDirectory(store);
        File.Copy(RepoPaths.Fixture("journal-v1", "journal.db"), Path.Combine(store, "journal.db"));
        var node = _nodes.Start("coordinator,worker", extra: "--cpu-slots 1", store: store);

        AssertSame(Expected("finished-trials.json"), AsNode(Json(node.Address, "sweep", "trials", "-i", Finished)), "sweep trials");
        AssertSame(Expected("finished-best.json"), AsNode(Json(node.Address, "sweep", "best", "-i", Finished)), "sweep best");
        AssertSame(InStore(Expected("finished-status.json"), store), AsNode(Json(node.Address, "sweep", "status", "-i", Finished)), "sweep status");
        AssertSame(InStore(Listed(Expected("list.json"), Finished), store), Listed(AsNode(Json(node.Address, "sweep", "list")), Finished), "sweep list");

        NodeProcesses.WaitUntil(() => TryJson(node.Address, "sweep", "status", "-i", Interrupted)?.GetProperty("state").GetString() == "completed",
            TimeSpan.FromSeconds(120), "the interrupted v1 sweep to complete");
        var trials = Json(node.Address, "sweep", "trials", "-i", Interrupted).GetProperty("trials").EnumerateArray().ToDictionary(t => t.GetProperty("index").GetInt32());
        Assert.That(trials.Keys, Is.EquivalentTo(new[] { 0, 1, 2 }), "every trial once");
        Assert.That(trials.Values.Select(t => t.GetProperty("status").GetString()), Is.All.EqualTo("completed"));
        var v1Trial0 = Expected("interrupted-trials.json")["trials"]!.AsArray().Single(t => t!["index"]!.GetValue<int>() == 0)!;
        AssertSame(v1Trial0, AsNode(trials[0]), "the trial v1 completed");
        Assert.That(trials[1].GetProperty("attempt").GetInt32(), Is.EqualTo(2), "the attempt that died with the v1 node is retried");
        Assert.That(trials[1].GetProperty("failed_attempts")[0].GetString(), Does.StartWith("attempt 1:"));
        Assert.That(trials[1].GetProperty("params").GetProperty("value").GetDouble(), Is.EqualTo(
            Expected("interrupted-trials.json")["trials"]!.AsArray().Single(t => t!["index"]!.GetValue<int>() == 1)!["params"]!["value"]!.GetValue<double>()),
            "the retried trial keeps the parameters v1 planned");
    }
}
