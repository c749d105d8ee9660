using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// <c>export mlflow</c> against MLflow's file-store format, as MLflow's FileStore reads it (no MLflow package is served
/// here): a Python peer applies its rules (meta.yaml keys and types, id patterns, one file per param and tag, metric lines
/// of "timestamp value step") and returns what an MLflow reader would see.
/// </summary>
[Category(TestKinds.Process)]
[Category(Peers.Category)]
public class MlflowExportTests
{
    private const string Program = """
        import json, sys
        params = json.load(open(sys.argv[1]))
        if params["mode"] == "fail":
            sys.exit("the data is missing")
        for epoch in range(1, 4):
            print(json.dumps({"epoch": epoch, "score": params["x"] * epoch, "loss": 1.0 / epoch}))
        """;

    /// <summary>MLflow's reading rules (mlflow/store/tracking/file_store.py, mlflow/utils/validation.py), applied to a store folder.</summary>
    private const string Reader = """
        import json, os, re, sys, urllib.parse, yaml
        root = sys.argv[1]
        RUN_ID = re.compile(r"^[a-zA-Z0-9][\w\-]{0,255}$")
        KEY = re.compile(r"^[/\w.\- ]*$")
        def meta(folder):
            with open(os.path.join(folder, "meta.yaml")) as f:
                return yaml.safe_load(f)
        def values(folder):
            if not os.path.isdir(folder):
                return {}
            out = {}
            for key in os.listdir(folder):
                assert KEY.match(key) and ".." not in key.split("/"), key
                out[key] = open(os.path.join(folder, key)).read()
            return out
        experiments, names = {}, set()
        for exp_id in sorted(os.listdir(root)):
            if exp_id == ".trash":
                continue
            m = meta(os.path.join(root, exp_id))
            assert str(m["experiment_id"]) == exp_id and m["lifecycle_stage"] == "active" and m["name"] not in names, m
            assert isinstance(m["creation_time"], int) and m["artifact_location"].startswith("file://"), m
            names.add(m["name"])
            runs = {}
            for run_id in os.listdir(os.path.join(root, exp_id)):
                folder = os.path.join(root, exp_id, run_id)
                if run_id == "tags" or not os.path.isdir(folder):
                    continue
                r = meta(folder)
                assert RUN_ID.match(run_id) and r["run_id"] == run_id == r["run_uuid"] and str(r["experiment_id"]) == exp_id, r
                assert r["status"] in (1, 2, 3, 4, 5) and isinstance(r["start_time"], int) and r["tags"] == [] and r["lifecycle_stage"] == "active", r
                artifacts = urllib.parse.unquote(urllib.parse.urlparse(r["artifact_uri"]).path)
                metrics = {}
                for key, text in values(os.path.join(folder, "metrics")).items():
                    rows = [line.split() for line in text.strip().split("\n")]
                    metrics[key] = [(int(t), float(v), int(s)) for t, v, s in rows]
                runs[r["run_name"]] = {"status": r["status"], "params": values(os.path.join(folder, "params")), "metrics": metrics,
                    "tags": values(os.path.join(folder, "tags")), "artifacts": sorted(os.listdir(artifacts))}
            experiments[m["name"]] = {"id": exp_id, "tags": values(os.path.join(root, exp_id, "tags")), "runs": runs}
        print(json.dumps(experiments))
        """;

    [Test]
    public void A_sweep_becomes_an_experiment_whose_runs_hold_each_trials_parameters_metrics_per_epoch_tags_and_artifacts()
    {
        var folder = Directory.CreateTempSubdirectory("mlflow-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "train.py"), Program);
            File.WriteAllText(Path.Combine(folder, "exp.yml"), """
                name: mine
                num_trials: 1
                sampler: random
                pruner: none
                max_failures: 0
                params:
                  sizes: [3, 4]
                param_space:
                  x: grid([0.25, 0.75])
                  mode: grid(['good', 'fail'])
                metric:
                  name: score
                  direction: maximize
                run: [train.py]
                """);
            var run = CliRunner.Run("run", Path.Combine(folder, "exp.yml"), "--out", Path.Combine(folder, "runs"), "--format", "json");
            Assert.That(run.Stdout, Does.Contain("\"id\""), run.Stderr);
            var runDir = Directory.GetDirectories(Path.Combine(folder, "runs")).Single();
            var store = Path.Combine(folder, "mlruns");

            var export = CliRunner.Run("export", "mlflow", runDir, "--out", store);
            Assert.That(export.ExitCode, Is.Zero, export.Stderr);
            Assert.That(CliRunner.Run("export", "mlflow", runDir, "--out", store).ExitCode, Is.Zero, "exporting again replaces the experiment");

            using var read = JsonDocument.Parse(Peers.RunPython(Reader, store));
            var experiments = read.RootElement.EnumerateObject().ToDictionary(e => e.Name, e => e.Value);
            Assert.That(experiments.Keys, Has.Count.EqualTo(2).And.Contains("Default"), "the default experiment MLflow expects, and the sweep's, once");
            var sweepId = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("id").GetString();
            var experiment = experiments[$"mine ({sweepId})"];
            Assert.That(experiment.GetProperty("tags").GetProperty("sweepcluster.metric").GetString(), Is.EqualTo("score (maximize)"));

            var runs = experiment.GetProperty("runs").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
            Assert.That(runs.Keys, Is.EquivalentTo(new[] { "trial-0000", "trial-0001", "trial-0002", "trial-0003" }));
            string Param(JsonElement r, string key) => r.GetProperty("params").GetProperty(key).GetString()!;
            foreach (var (name, trial) in runs)
            {
                Assert.That(trial.GetProperty("tags").GetProperty("mlflow.runName").GetString(), Is.EqualTo(name));
                Assert.That(Param(trial, "sizes"), Is.EqualTo("[3, 4]"));
                if (Param(trial, "mode") == "fail")
                {
                    Assert.That(trial.GetProperty("status").GetInt32(), Is.EqualTo(4), $"{name}: FAILED");
                    Assert.That(trial.GetProperty("tags").GetProperty("sweepcluster.reason").GetString(), Does.Contain("the data is missing"));
                    continue;
                }
                Assert.That(trial.GetProperty("status").GetInt32(), Is.EqualTo(3), $"{name}: FINISHED");
                var x = double.Parse(Param(trial, "x"), System.Globalization.CultureInfo.InvariantCulture);
                var score = trial.GetProperty("metrics").GetProperty("score").EnumerateArray().Select(p => (Value: p[1].GetDouble(), Step: p[2].GetInt32())).ToList();
                Assert.That(score.Select(p => p.Step), Is.EqualTo(new[] { 1, 2, 3 }), "a line per epoch, step = epoch");
                Assert.That(score.Select(p => p.Value), Is.EqualTo(new[] { x, 2 * x, 3 * x }).Within(1e-9));
                Assert.That(trial.GetProperty("artifacts").EnumerateArray().Select(a => a.GetString()), Does.Contain("trial.json").And.Contain("stdout.log"));
                Assert.That(trial.GetProperty("tags").TryGetProperty("sweepcluster.best", out _), Is.EqualTo(x == 0.75), $"{name}: the best trial is tagged, and only it");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void A_folder_that_is_not_a_run_folder_is_refused_naming_its_sweep_json()
    {
        var folder = Directory.CreateTempSubdirectory("mlflow-none-").FullName;
        try
        {
            var result = CliRunner.Run("export", "mlflow", folder, "--out", Path.Combine(folder, "mlruns"));
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.Stderr, Does.Contain(Path.Combine(folder, "sweep.json")).And.Not.Contain("   at "));
            Assert.That(Directory.Exists(Path.Combine(folder, "mlruns")), Is.False);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
