using System.Text.Json;
using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// <c>sweepctl train --from TRIAL_DIR</c> of a trial of the user's program: the same program, parameters, seed and identity, with
/// the code the trial ran; a folder changed since is never taken for that code without being told.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class TrainFromTrialTests
{
    private string _dir = "";
    private string _out = "";

    [SetUp]
    public void MakeFolders() => (_dir, _out) = (Directory.CreateTempSubdirectory("train-from-").FullName, Directory.CreateTempSubdirectory("train-from-out-").FullName);

    [TearDown]
    public void RemoveFolders()
    {
        Directory.Delete(_dir, recursive: true);
        Directory.Delete(_out, recursive: true);
    }

    /// <summary>Reports x times the epoch (times <paramref name="scale"/>) and writes its environment into the output folder.</summary>
    private string Experiment(int scale = 1)
    {
        File.WriteAllText(Path.Combine(_dir, "train.py"), $$"""
            import json, os, sys
            params = json.load(open(sys.argv[1]))
            env = {k: v for k, v in os.environ.items() if k.startswith("SWEEP_") or k == "CUDA_VISIBLE_DEVICES"}
            env["cwd"] = os.getcwd()
            json.dump(env, open(os.path.join(os.environ["SWEEP_TRIAL_DIR"], "env.json"), "w"))
            for epoch in (1, 2):
                print(json.dumps({"epoch": epoch, "score": {{scale}} * params["x"] * epoch}))
            """);
        var path = Path.Combine(_dir, "exp.yml");
        File.WriteAllText(path, """
            name: again
            num_trials: 2
            sampler: random
            seed: 11
            param_space:
              x: uniform(0, 1)
            metric: {name: score, direction: maximize}
            run: [train.py]
            """);
        return path;
    }

    private static JsonElement Train(params string[] args)
    {
        var result = CliRunner.Run(["train", .. args, "--format", "json"]);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    private static JsonElement EnvironmentIn(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "env.json"))).RootElement.Clone();

    [Test]
    public void A_trial_of_a_program_runs_again_with_its_parameters_seed_and_identity()
    {
        var result = CliRunner.Run("run", Experiment(), "--out", Path.Combine(_dir, "runs"), "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var trial = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("trials").EnumerateArray().Single(t => t.GetProperty("index").GetInt32() == 1);
        var folder = trial.GetProperty("artifacts").GetString()!;
        var x = trial.GetProperty("params").GetProperty("x").GetDouble();

        var again = Train("--from", folder, "--out", Path.Combine(_out, "again"));
        Assert.That(again.GetProperty("metrics").GetProperty("score").GetDouble(), Is.EqualTo(2 * x).Within(1e-12), "the same parameters give the same result");
        Assert.That(again.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("score").GetDouble()), Is.EqualTo(new[] { x, 2 * x }).Within(1e-12));
        var (ran, rerun) = (EnvironmentIn(folder), EnvironmentIn(Path.Combine(_out, "again")));
        foreach (var name in new[] { "SWEEP_SEED", "SWEEP_ID", "SWEEP_TRIAL", "SWEEP_PARAMS", "cwd" })
            Assert.That(rerun.GetProperty(name).GetString(), Is.EqualTo(ran.GetProperty(name).GetString()), $"{name} as the trial had it");
        Assert.That(rerun.GetProperty("SWEEP_TRIAL_DIR").GetString(), Is.EqualTo(Path.Combine(_out, "again")), "what it writes goes to the new folder");
        Assert.That(File.ReadAllText(Path.Combine(_out, "again", "stdout.log")), Does.Contain("\"score\""), "its log too");

        var changed = Train("--from", folder, "--set", "x=0.25", "--gpus", "0,1", "--out", Path.Combine(_out, "changed"));
        Assert.That(changed.GetProperty("metrics").GetProperty("score").GetDouble(), Is.EqualTo(0.5).Within(1e-12), "--set changes a parameter");
        Assert.That(EnvironmentIn(Path.Combine(_out, "changed")).GetProperty("CUDA_VISIBLE_DEVICES").GetString(), Is.EqualTo("0,1"), "--gpus gives the program those GPUs");

        var fromFile = Train(Path.Combine(_dir, "exp.yml"), "--set", "x=0.5", "--out", Path.Combine(_out, "from-file"));
        Assert.That(fromFile.GetProperty("metrics").GetProperty("score").GetDouble(), Is.EqualTo(1.0).Within(1e-12), "train FILE runs the experiment's program too");
    }

    [Test]
    public void A_hand_edited_trial_record_gets_one_line_not_a_crash()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_out, "trial-0000")).FullName;
        File.WriteAllText(Path.Combine(folder, "trial.json"), """
            {"sweep": "ab12cd34", "index": 0, "attempt": 1, "trainer": "train.py", "seed": 1, "params": {}, "status": "completed", "metrics": {},
             "epochs": [], "node": "n", "device": "cpu", "duration_seconds": 1, "started_at": "2026-12-07T10:00:00+00:00", "ended_at": "2026-12-07T10:00:01+00:00",
             "program": {"run": ["train.py"], "metric": "score", "code_folder": "/nonexistent/../code", "code": "abc"}}
            """);
        var result = CliRunner.Run("train", "--from", folder);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(result.Stderr, Is.EqualTo("sweepctl train: the trial's code (package abc) is neither in the node's store beside its run folder nor at /nonexistent/../code, "
            + "where its sweep came from: give --code DIR, a folder with the trial's code\n"));
        foreach (var gpus in new[] { "0,0", "-1", "x", "99999999999" })
            Assert.That(CliRunner.Run("train", "--from", folder, "--gpus", gpus).Stderr, Does.Contain($"--gpus takes GPU ids like 0 or 0,1, each once (got '{gpus}')"));
    }

    [Test]
    public void A_cluster_trial_runs_again_with_the_code_it_ran_even_after_its_folder_changed()
    {
        using var nodes = new NodeProcesses();
        var node = nodes.Start("coordinator,worker", extra: "--cpu-slots 2");
        var id = Submit(node.Address, Experiment());
        NodeProcesses.WaitUntil(() => Json(node.Address, "sweep", "status", "-i", id).GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(60), "the sweep to end");
        var trial = Json(node.Address, "sweep", "trial", "-i", id, "-t", "0");
        var folder = trial.GetProperty("artifacts").GetString()!;
        Assert.That(File.Exists(Path.Combine(folder, "trial.json")), $"the trial's folder is {folder}");
        var score = trial.GetProperty("metrics").GetProperty("score").GetDouble();
        Assert.That(trial.GetProperty("lineage").GetProperty("sweep_cluster").GetString(), Does.Match(@"^\d+\.\d+\.\d+\+[0-9a-f]{12}$"), "sweep trial says what it ran with");
        Assert.That(CliRunner.Run(node.Address, "sweep", "trial", "-i", id, "-t", "0").Stdout, Does.Contain("  ran with SweepCluster "));
        Experiment(scale: 100); // the user goes on editing the script

        var again = Train("--from", folder, "--out", Path.Combine(_out, "again"));
        Assert.That(again.GetProperty("metrics").GetProperty("score").GetDouble(), Is.EqualTo(score).Within(1e-12), "the node's copy of the code the trial ran");
        Assert.That(EnvironmentIn(Path.Combine(_out, "again")).GetProperty("cwd").GetString(), Does.StartWith(Path.Combine(node.Store, "code")));

        foreach (var copy in Directory.GetFileSystemEntries(Path.Combine(node.Store, "code")))
            if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
            else File.Delete(copy);
        var refused = CliRunner.Run("train", "--from", folder, "--out", Path.Combine(_out, "refused"));
        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(refused.Stderr, Does.Match($@"^sweepctl train: {_dir} has changed since the trial ran \(it packs to [0-9a-f]{{12}}, the trial ran [0-9a-f]{{12}}\): give --code DIR"));
        Assert.That(Directory.Exists(Path.Combine(_out, "refused")), Is.False, "nothing ran");

        var asItIs = CliRunner.Run("train", "--from", folder, "--code", _dir, "--out", Path.Combine(_out, "as-it-is"), "--format", "json");
        Assert.That(asItIs.ExitCode, Is.Zero, asItIs.Stderr);
        Assert.That(asItIs.Stderr, Does.Contain($"note: the code in {_dir} differs from what the trial ran"));
        Assert.That(JsonDocument.Parse(asItIs.Stdout).RootElement.GetProperty("metrics").GetProperty("score").GetDouble(), Is.EqualTo(100 * score).Within(1e-9));
    }
}
