using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// Every published JSON document keeps the shape release v1 printed, field for field (tests/fixtures/json-v1). Documents
/// that hold nothing but the input are compared as text; the others by shape (every key, and the kind of every value),
/// and by the values that do not depend on timing.
/// </summary>
public class JsonShapeTests
{
    /// <summary>The experiment of run-sleep.json: 3 trials of 0.1 s in 2 steps, seed 7.</summary>
    private static readonly string SleepExperiment = Experiments.Sleep(3, seconds: 0.1, steps: 2, extra: "pruner: none");

    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("json-shape-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    private static string V1(string name) => File.ReadAllText(RepoPaths.Fixture("json-v1", name));

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Every key path with the kind of its value (<c>trials[].curve[].epoch:number</c>); an array by its first element.</summary>
    private static IEnumerable<string> Paths(JsonElement e, string at = "") => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Paths(p.Value, at.Length == 0 ? p.Name : $"{at}.{p.Name}")),
        JsonValueKind.Array => e.GetArrayLength() > 0 ? Paths(e[0], at + "[]") : [$"{at}:[]"],
        JsonValueKind.True or JsonValueKind.False => [$"{at}:bool"],
        var kind => [$"{at}:{kind.ToString().ToLowerInvariant()}"],
    };

    /// <summary>Every key of v1's document is kept with the same kind of value; the keys added since are exactly <paramref name="added"/>.</summary>
    private static void AssertV1Kept(JsonElement now, JsonElement v1, params string[] added)
    {
        var (nowPaths, v1Paths) = (Paths(now).ToHashSet(), Paths(v1).ToHashSet());
        Assert.That(v1Paths.Except(nowPaths), Is.Empty, "keys of v1 dropped or changed");
        Assert.That(nowPaths.Except(v1Paths), Is.EquivalentTo(added), "keys added since v1");
    }

    private static CliResult Sweepctl(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        return result;
    }

    [Test]
    public void Plan_json_is_v1s_to_the_byte()
    {
        var result = Sweepctl("plan", RepoPaths.Experiment("convnet.yml"), "--trials", "12", "--seed", "7", "--format", "json");
        Assert.That(result.Stdout, Is.EqualTo(V1("plan-convnet.json")));
    }

    [Test]
    public void Data_inspect_json_is_v1s_to_the_byte()
    {
        var path = RepoPaths.Fixture("swgo", "swgo_table_f32.h5");
        var result = Sweepctl("data", "inspect", path, "--format", "json");
        Assert.That(result.Stdout.Replace(path, "swgo_table_f32.h5", StringComparison.Ordinal), Is.EqualTo(V1("inspect-table.json")));
    }

    [Test]
    public void Run_json_sweep_json_and_trial_json_keep_v1s_shape_and_values()
    {
        var experiment = Path.Combine(_dir, "sleep3.yml");
        File.WriteAllText(experiment, SleepExperiment);
        var run = Parse(Sweepctl("run", experiment, "--out", _dir, "--format", "json").Stdout);
        var v1 = Parse(V1("run-sleep.json"));
        AssertV1Kept(run, v1, "trials[].curve[].epoch:number", "trials[].curve[].loss:number", "trials[].curve[].value:number", "trials[].curve[].seconds:number");
        Assert.That(JsonElement.DeepEquals(run.GetProperty("summary"), v1.GetProperty("summary")), "the same trials give the same summary");
        Assert.That(JsonElement.DeepEquals(run.GetProperty("best"), v1.GetProperty("best")), Is.False, "best names its artifacts in this run's folder");
        Assert.That(JsonElement.DeepEquals(run.GetProperty("best").GetProperty("params"), v1.GetProperty("best").GetProperty("params")));
        Assert.That(run.GetProperty("submitted_at").GetString(), Does.EndWith("+00:00"), "timestamps print + unescaped");

        var runDirectory = run.GetProperty("run_directory").GetString()!;
        Assert.That(File.ReadAllText(Path.Combine(runDirectory, "sweep.json")).TrimEnd(), Is.EqualTo(JsonSerializer.Serialize(run, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })));
        var trial = Parse(File.ReadAllText(Path.Combine(runDirectory, "trial-0000", "trial.json")));
        var v1Trial = Parse(V1("trial.json"));
        AssertV1Kept(trial, v1Trial, "lineage.sweep_cluster:string"); // a built-in objective reads no data and needs no library
        Assert.That(JsonElement.DeepEquals(trial.GetProperty("params"), v1Trial.GetProperty("params")));
        Assert.That(JsonElement.DeepEquals(trial.GetProperty("metrics"), v1Trial.GetProperty("metrics")));
    }

    [Test]
    public void Train_json_keeps_v1s_shape()
    {
        var data = Path.Combine(_dir, "data");
        Sweepctl("data", "generate", "--out", data, "--train", "64", "--test", "32", "--seed", "1");
        var train = Parse(Sweepctl("train", RepoPaths.Experiment("convnet.yml"), "--data", data, "--epochs", "2", "--set", "bs=32", "--set", "out_channels=[4,4]",
            "--out", Path.Combine(_dir, "artifacts"), "--format", "json").Stdout);
        var v1 = Parse(V1("train-convnet.json"));
        AssertV1Kept(train, v1, "artifacts.model:string"); // model.json, beside the weights (docs/models.md)
        Assert.That(JsonElement.DeepEquals(train.GetProperty("params"), v1.GetProperty("params")));
    }
}
