using System.Text.Json.Nodes;
using static SweepCluster.Cli.Tests.ClusterCommands;
using static SweepCluster.Cli.Tests.StoredDocuments;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A journal written by the release that moved ended trials into the run folder's trials.jsonl (tests/fixtures/journal-v2:
/// its README says how): its last snapshot, under manifest CoordinatorSnapshot2, holds a running sweep's trials in flight
/// and points into that file. A node on a copy shows the finished sweep as that release did and completes the sweep it was
/// killed in the middle of, every trial ended before the kill unchanged; on a node without the run folders it does so by
/// replaying the journal from the first event.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class JournalV2Tests
{
    private const string Fixture = "journal-v2";
    private const string Finished = "601d470c";
    private const string Interrupted = "7ced7173";
    private const int InterruptedTrials = 1200;

    /// <summary>The release made absolute run directories on the coordinator; this journal's are under this folder (a node on a copy uses its own).</summary>
    private const string V2Root = "/tmp/sweepcluster-v2";

    private NodeProcesses _nodes = null!;

    [SetUp]
    public void CreateNodes()
    {
        _nodes = new NodeProcesses();
        if (Directory.Exists(V2Root)) Directory.Delete(V2Root, recursive: true);
    }

    [TearDown]
    public void StopNodes()
    {
        _nodes.Dispose();
        if (Directory.Exists(V2Root)) Directory.Delete(V2Root, recursive: true);
    }

    private static JsonNode Expected(string name) => StoredDocuments.Expected(Fixture, name);

    private static void AssertSame(JsonNode expected, JsonNode actual, string what) => StoredDocuments.AssertSame(expected, actual, what, "v2");

    [TestCase(true, TestName = "A node on a v2 journal and its run folders shows the finished sweep unchanged and completes the interrupted one")]
    [TestCase(false, TestName = "A node on a v2 journal without its run folders replays it and shows the same")]
    public void Recovers(bool withRunFolders)
    {
        // The store moved here with its run folders: the journal names them in the store that wrote it, and the node uses its own.
        var store = Path.Combine(_nodes.Root, "store");
        Directory.CreateDirectory(store);
        if (withRunFolders) TestFolders.Copy(RepoPaths.Fixture(Fixture, "runs"), Path.Combine(store, "runs"));
        File.Copy(RepoPaths.Fixture(Fixture, "journal.db"), Path.Combine(store, "journal.db"));
        var node = _nodes.Start("coordinator,worker", extra: "--cpu-slots 1", store: store);

        AssertSame(Expected("finished-trials.json"), AsNode(Json(node.Address, "sweep", "trials", "-i", Finished, "-k", "100000")), "sweep trials");
        AssertSame(Expected("finished-best.json"), AsNode(Json(node.Address, "sweep", "best", "-i", Finished)), "sweep best");
        AssertSame(InStore(Expected("finished-status.json"), store), AsNode(Json(node.Address, "sweep", "status", "-i", Finished)), "sweep status");
        AssertSame(InStore(Listed(Expected("list.json"), Finished), store), Listed(AsNode(Json(node.Address, "sweep", "list")), Finished), "sweep list");

        NodeProcesses.WaitUntil(() => TryJson(node.Address, "sweep", "status", "-i", Interrupted)?.GetProperty("state").GetString() == "completed",
            TimeSpan.FromSeconds(180), "the interrupted v2 sweep to complete");
        var trials = Json(node.Address, "sweep", "trials", "-i", Interrupted, "-k", "100000").GetProperty("trials").EnumerateArray()
            .Select(AsNode).ToDictionary(t => t["index"]!.GetValue<int>());
        Assert.That(trials.Keys, Is.EquivalentTo(Enumerable.Range(0, InterruptedTrials)), "every trial once");
        Assert.That(trials.Values.Select(t => t["status"]!.GetValue<string>()), Is.All.AnyOf("completed", "pruned"));
        var endedBeforeTheKill = Expected("interrupted-trials.json")["trials"]!.AsArray().Where(t => t!["status"]!.GetValue<string>() != "running").ToList();
        Assert.That(endedBeforeTheKill, Has.Count.GreaterThan(600), "the fixture's sweep was killed well into its run");
        foreach (var trial in endedBeforeTheKill)
            AssertSame(trial!, trials[trial!["index"]!.GetValue<int>()], $"trial {trial["index"]}, ended before the kill,");
        Assert.That(_nodes.Log(node.Process).Contains("recovered from the journal's first event instead"), Is.EqualTo(!withRunFolders),
            withRunFolders ? "the snapshot and trials.jsonl were read, not the whole journal" : "without trials.jsonl the journal is replayed whole");
    }
}
