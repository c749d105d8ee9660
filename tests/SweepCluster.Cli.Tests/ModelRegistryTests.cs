using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using static SweepCluster.Cli.Tests.ClusterChecks;
using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// The model registry through real nodes: a sweep's trial registered (files copied with checksums on its worker, a model card),
/// promoted through MLflow's stages, predicted from (sweepctl predict NAME@STAGE, and the node's HTTP route), and all of it still
/// there after the coordinator's node is killed.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class ModelRegistryTests
{
    private NodeProcesses _nodes = null!;
    private string _data = "";

    [SetUp]
    public void CreateNodes()
    {
        _nodes = new NodeProcesses();
        _data = Path.Combine(_nodes.Root, "data");
        Assert.That(CliRunner.Run("data", "generate", "--out", _data, "--train", "64", "--test", "40").ExitCode, Is.Zero);
    }

    [TearDown]
    public void StopNodes()
    {
        _nodes.ReportIfFailed();
        _nodes.Dispose();
    }

    private string WorkerOptions => $"--cpu-slots 1 --gpu-trials-on-cpu --data {_data}";

    private string TestFile => Directory.GetFiles(_data, "Test_*.h5").Single();

    private static string TrainedSweep(NodeProcesses.Node node, int trials)
    {
        var submitted = CliRunner.Run(node.Address, "sweep", "submit", "-f", RepoPaths.Experiment("convnet.yml"), "--trials", trials.ToString(CultureInfo.InvariantCulture), "--epochs", "1");
        Assert.That(submitted.ExitCode, Is.Zero, submitted.Stderr);
        var id = submitted.Stdout.Trim();
        WaitForCompletion(node, id);
        return id;
    }

    private static float[][] Served(string address, HttpContent body, string model, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var http = new HttpClient();
        using var response = http.PostAsync($"http://{address}/api/models/{model}/predict", body).Result;
        var text = response.Content.ReadAsStringAsync().Result;
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        return expected == HttpStatusCode.OK ? JsonDocument.Parse(text).RootElement.GetProperty("probabilities").Deserialize<float[][]>()! : [];
    }

    private static string Refusal(string address, HttpContent body, string model, HttpStatusCode expected)
    {
        using var http = new HttpClient();
        using var response = http.PostAsync($"http://{address}/api/models/{model}/predict", body).Result;
        Assert.That(response.StatusCode, Is.EqualTo(expected));
        return JsonDocument.Parse(response.Content.ReadAsStringAsync().Result).RootElement.GetProperty("error").GetString()!;
    }

    private static ByteArrayContent Hdf5(string file)
    {
        var content = new ByteArrayContent(File.ReadAllBytes(file));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-hdf5");
        return content;
    }

    private static List<float[]> Csv(string file) => [.. File.ReadLines(file).Skip(1).Select(l => l.Split(',')[1..3].Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray())];

    [Test]
    public void A_trial_registered_and_promoted_predicts_through_the_node_as_its_own_folder_does()
    {
        var node = _nodes.Start("coordinator,worker", extra: WorkerOptions);
        var id = TrainedSweep(node, 2);
        var best = Json(node.Address, "sweep", "best", "-i", id).GetProperty("index").GetInt32();

        var first = Json(node.Address, "model", "register", "-i", id, "--name", "showers");
        Assert.That((first.GetProperty("version").GetInt32(), first.GetProperty("trial").GetInt32(), first.GetProperty("stage").GetString()), Is.EqualTo((1, best, "none")), "the best trial by default");
        var trialFolder = Directory.GetDirectories(Path.Combine(node.Store, "runs")).Single();
        var weights = Path.Combine(trialFolder, $"trial-{best:D4}", "model.dat");
        Assert.That(first.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("path").GetString() == "model.dat").GetProperty("sha256").GetString(),
            Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weights)))));
        var second = Json(node.Address, "model", "register", "-i", id, "-t", (1 - best).ToString(CultureInfo.InvariantCulture), "--name", "showers");
        Assert.That(second.GetProperty("version").GetInt32(), Is.EqualTo(2));

        Assert.That(Json(node.Address, "model", "promote", "-m", "showers:1", "--stage", "production").GetProperty("stage").GetString(), Is.EqualTo("production"));
        Json(node.Address, "model", "promote", "-m", "showers:2", "--stage", "production");
        Assert.That(Json(node.Address, "model", "list").GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("stage").GetString()),
            Is.EqualTo(new[] { "archived", "production" }), "production holds one version: the one before is archived");
        var shown = CliRunner.Run(node.Address, "model", "show", "-m", "showers@production");
        Assert.That(shown.Stdout, Does.Contain("showers:2 (production)").And.Contain("## Test confusion matrix").And.Contain("| epoch | training loss | test_f1 |").And.Contain("model.dat"));

        // sweepctl predict NAME@STAGE fetches the version through the node and predicts as the trial's own folder does.
        var viaNode = CliRunner.Run("predict", "showers@production", "--node", node.Address, "--data", TestFile, "--out", Path.Combine(_nodes.Root, "node.csv"));
        Assert.That(viaNode.ExitCode, Is.Zero, viaNode.Stderr);
        Assert.That(viaNode.Stdout, Does.Contain("showers:2 (production)"));
        Assert.That(CliRunner.Run("predict", Path.Combine(trialFolder, $"trial-{1 - best:D4}"), "--data", TestFile, "--out", Path.Combine(_nodes.Root, "local.csv")).ExitCode, Is.Zero);
        var local = Csv(Path.Combine(_nodes.Root, "local.csv"));
        Assert.That(Csv(Path.Combine(_nodes.Root, "node.csv")), Is.EqualTo(local));

        // The node's HTTP route, batched: the same probabilities for the file, and for its first two images sent as JSON.
        Assert.That(Served(node.Address, Hdf5(TestFile), "showers@production"), Is.EqualTo(local).Within(1e-6));
        var images = JsonDocument.Parse(CliRunner.Run("data", "inspect", TestFile, "--format", "json").Stdout).RootElement; // its shape, for the hostile cases
        Assert.That(images.GetProperty("height").GetInt32(), Is.EqualTo(80));
        var zeros = JsonSerializer.Serialize(new { images = new[] { Enumerable.Repeat(new float[80], 80).ToArray(), Enumerable.Repeat(new float[80], 80).ToArray() } });
        var served = Served(node.Address, new StringContent(zeros, Encoding.UTF8, "application/json"), "showers:1");
        Assert.That(served, Has.Length.EqualTo(2).And.All.Matches<float[]>(p => Math.Abs(p[0] + p[1] - 1) < 1e-5));

        Assert.That(Refusal(node.Address, new StringContent("""{"images": [[[1, 2]]]}""", Encoding.UTF8, "application/json"), "showers", HttpStatusCode.BadRequest),
            Does.Contain("the model reads 80x80 images"));
        Assert.That(Refusal(node.Address, new StringContent("""{"images": [[[NaN]]]}""", Encoding.UTF8, "application/json"), "showers", HttpStatusCode.BadRequest), Is.Not.Empty);
        Assert.That(Refusal(node.Address, new ByteArrayContent([1, 2, 3]) { Headers = { ContentType = new("application/x-hdf5") } }, "showers", HttpStatusCode.BadRequest),
            Does.StartWith("the request body: "));
        Assert.That(Refusal(node.Address, new StringContent("{}", Encoding.UTF8, "application/json"), "nope", HttpStatusCode.NotFound), Does.Contain("no model is called 'nope'"));
        Assert.That(Refusal(node.Address, new StringContent("images=1", Encoding.UTF8, "application/x-www-form-urlencoded"), "showers", HttpStatusCode.Forbidden),
            Does.Contain("forbidden"), "a form from another page cannot drive it");
        Assert.That(CliRunner.Run(node.Address, "model", "register", "-i", id, "--name", "../x").ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(CliRunner.Run(node.Address, "model", "promote", "-m", "showers:7", "--stage", "production").Stderr, Does.Contain("showers has no version 7"));
        Assert.That(Json(node.Address, "model", "list").GetProperty("versions").GetArrayLength(), Is.EqualTo(2), "the node kept serving, and nothing was added");
    }

    [Test]
    public void Registered_versions_and_their_stages_survive_the_coordinators_node_and_are_still_served()
    {
        var store = Path.Combine(_nodes.Root, "coordinators"); // one journal for both coordinator nodes
        var first = _nodes.Start("coordinator", extra: FastFailureDetection, store: store);
        var second = _nodes.Start("coordinator", first.ClusterAddress, FastFailureDetection, store: store);
        var worker = _nodes.Start("worker", first.ClusterAddress, $"{WorkerOptions} {FastFailureDetection}");
        WaitForWorkers(first, 1, members: 3);
        var id = TrainedSweep(first, 1);
        Json(first.Address, "model", "register", "-i", id, "--name", "showers");
        Json(first.Address, "model", "promote", "-m", "showers:1", "--stage", "staging");

        NodeProcesses.Kill(first);
        NodeProcesses.WaitUntil(() => TryJson(second.Address, "model", "list") is { } list && list.GetProperty("versions").GetArrayLength() == 1,
            TimeSpan.FromMinutes(2), "the registry to recover on the other coordinator node");
        var version = Json(second.Address, "model", "show", "-m", "showers@staging");
        Assert.That((version.GetProperty("version").GetInt32(), version.GetProperty("sweep").GetString()), Is.EqualTo((1, id)));
        Assert.That(Json(second.Address, "model", "promote", "-m", "showers:1", "--stage", "production").GetProperty("stage").GetString(), Is.EqualTo("production"));

        var predicted = CliRunner.Run("predict", "showers@production", "--node", second.Address, "--data", TestFile, "--out", Path.Combine(_nodes.Root, "after.csv"));
        Assert.That(predicted.ExitCode, Is.Zero, predicted.Stderr);
        Assert.That(Served(worker.Address, Hdf5(TestFile), "showers@production"), Is.EqualTo(Csv(Path.Combine(_nodes.Root, "after.csv"))).Within(1e-6));
        Assert.That(Refusal(second.Address, Hdf5(TestFile), "showers@production", HttpStatusCode.ServiceUnavailable), Does.Contain("no worker role"),
            "a coordinator-only node never loads libtorch");
    }
}
