using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// Every trial.json says what its trial ran with (the release, the data's fingerprint), and a resumed sweep refuses new
/// trials that would read other data unless told to go on.
/// </summary>
[NonParallelizable]
public class LineageTests
{
    private string _dir = "";

    [SetUp]
    public void MakeFolder() => _dir = Directory.CreateTempSubdirectory("lineage-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    private string Folder(string name, string content)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;
        File.WriteAllText(Path.Combine(folder, "rows.csv"), content);
        return folder;
    }

    private static IEnumerable<JsonElement> Lineages(string runs) => Directory.GetFiles(runs, "trial.json", SearchOption.AllDirectories)
        .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("lineage").Clone());

    [Test]
    public void Each_trial_records_its_release_and_data_and_a_resume_on_other_data_is_refused_unless_allowed()
    {
        var first = Folder("data-a", "x,y\n1,2\n");
        var other = Folder("data-b", "x,y\n1,3\n");
        File.WriteAllText(Path.Combine(_dir, "train.py"), "import json\nprint(json.dumps({'score': 1.0}))\n");
        var file = Path.Combine(_dir, "exp.yml");
        File.WriteAllText(file, "name: lin\nnum_trials: 2\nsampler: random\nparam_space:\n  x: uniform(0, 1)\nmetric: {name: score, direction: maximize}\nrun: [train.py]\n");
        var runs = Path.Combine(_dir, "runs");
        var ran = CliRunner.Run("run", file, "--data", first, "--out", runs, "--format", "json");
        Assert.That(ran.ExitCode, Is.Zero, ran.Stderr);
        var lineage = Lineages(runs).First();
        Assert.That(lineage.GetProperty("sweep_cluster").GetString(), Does.Match(@"^\d+\.\d+\.\d+\+[0-9a-f]{12}$"), "the release and the commit it was built from");
        var data = lineage.GetProperty("data");
        Assert.That((data.GetProperty("folder").GetString(), data.GetProperty("files").GetInt32(), data.GetProperty("bytes").GetInt64()), Is.EqualTo((first, 1, 8L)));
        Assert.That(data.GetProperty("sha256").GetString(), Does.Match("^[0-9a-f]{64}$"));
        Assert.That(lineage.GetProperty("runtime").GetString(), Does.Match(@"^Python 3\.\d+\.\d+$"), "the interpreter the script ran under");
        var runDirectory = JsonDocument.Parse(ran.Stdout).RootElement.GetProperty("run_directory").GetString()!;

        var refused = CliRunner.Run("run", "--resume", runDirectory, "--trials", "+1", "--data", other);
        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(refused.Stderr, Does.Match($@"^--resume {runDirectory}: the sweep's trials read {first} \(1 file, fingerprint [0-9a-f]{{12}}\); the new trials would read {other} "
            + @"\(1 file, fingerprint [0-9a-f]{12}\): their results would not compare"));
        Assert.That(CliRunner.Run("run", "--resume", runDirectory, "--trials", "+1", "--data", first).ExitCode, Is.Zero, "the same data goes on");

        var allowed = CliRunner.Run("run", "--resume", runDirectory, "--trials", "+1", "--data", other, "--allow-changed-data");
        Assert.That(allowed.ExitCode, Is.Zero, allowed.Stderr);
        Assert.That(Lineages(runs).Select(l => l.GetProperty("data").GetProperty("folder").GetString()), Is.EquivalentTo(new[] { first, first, first, other }),
            "the trial that read other data says so");
    }
    [Test]
    [Category(TestKinds.Process)]
    public void Sweep_extend_on_a_cluster_is_refused_while_a_worker_would_give_the_new_trials_other_data_unless_allowed()
    {
        using var nodes = new NodeProcesses();
        var first = Folder("data-a", "x,y\n1,2\n");
        var other = Folder("data-b", "x,y\n1,3\n");
        File.WriteAllText(Path.Combine(_dir, "train.py"), "import json\nprint(json.dumps({'score': 1.0}))\n");
        var file = Path.Combine(_dir, "exp.yml");
        File.WriteAllText(file, "name: lin\nnum_trials: 2\nsampler: random\nparam_space:\n  x: uniform(0, 1)\nmetric: {name: score, direction: maximize}\nrun: [train.py]\n");
        var store = Path.Combine(nodes.Root, "store");
        var node = nodes.Start("coordinator,worker", extra: $"--cpu-slots 1 --data {first}", store: store);
        var id = ClusterCommands.Submit(node.Address, file);
        ClusterChecks.WaitForCompletion(node, id);
        NodeProcesses.Kill(node);

        // The same node again, on the same store and address, now reading other data.
        var again = nodes.Start("coordinator,worker", extra: $"--cpu-slots 1 --data {other}", store: store, ports: (node.Port, node.CmdPort));
        var refused = CliRunner.Run(again.Address, "sweep", "extend", "-i", id, "--trials", "+1");
        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.Failed), refused.Stderr);
        Assert.That(refused.Stderr, Does.Contain($"sweep {id}'s trials read {first} (fingerprint").And.Contain($"would give new trials {other} (1 file, fingerprint"));
        var allowed = CliRunner.Run(again.Address, "sweep", "extend", "-i", id, "--trials", "+1", "--allow-changed-data", "yes");
        Assert.That(allowed.ExitCode, Is.Zero, allowed.Stderr);
        ClusterChecks.WaitForCompletion(again, id);
        Assert.That(ClusterCommands.Json(again.Address, "sweep", "status", "-i", id).GetProperty("done").GetInt32(), Is.EqualTo(3));
    }
}
