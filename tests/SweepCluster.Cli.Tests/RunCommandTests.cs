using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary><c>sweepctl run</c>: the embedded single-process cluster, run to the end.</summary>
[NonParallelizable]
public class RunCommandTests
{
    private string _dir = "";

    [SetUp]
    public void MakeFolder() => _dir = Directory.CreateTempSubdirectory("run-test-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    private string Experiment(string resources = "")
    {
        var path = Path.Combine(_dir, "sleep.yml");
        File.WriteAllText(path, $"""
            name: sleepy
            num_trials: 4
            sampler: random
            seed: 5
            {resources}
            params:
              seconds: 0.3
            param_space:
              value: uniform(0, 1)
              grid_point: grid(['a', 'b'])
            metric:
              name: value
              direction: minimize
            run: builtin/sleep
            """);
        return path;
    }

    [Test]
    public void Json_output_holds_every_trial_the_best_and_the_summary()
    {
        var result = CliRunner.Run("run", Experiment(), "--workers", "3", "--out", _dir, "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("name").GetString(), Is.EqualTo("sleepy"));
        Assert.That(root.GetProperty("metric").GetProperty("direction").GetString(), Is.EqualTo("minimize"));
        var trials = root.GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials, Has.Count.EqualTo(8), "4 trials per grid point, 2 grid points");
        Assert.That(trials.Select(t => t.GetProperty("status").GetString()), Has.All.EqualTo("completed"));
        Assert.That(trials.Select(t => t.GetProperty("device").GetString()), Has.All.EqualTo("cpu"));
        Assert.That(trials.All(t => t.GetProperty("duration_seconds").GetDouble() >= 0.3));
        var values = trials.Select(t => t.GetProperty("metrics").GetProperty("value").GetDouble()).ToList();
        var best = root.GetProperty("best");
        Assert.That(best.GetProperty("metrics").GetProperty("value").GetDouble(), Is.EqualTo(values.Min()));
        Assert.That(best.GetProperty("index").GetInt32(), Is.EqualTo(values.IndexOf(values.Min())));
        var summary = root.GetProperty("summary");
        Assert.That(summary.GetProperty("completed").GetInt32(), Is.EqualTo(8));
        Assert.That(summary.GetProperty("failed").GetInt32(), Is.Zero);
        Assert.That(summary.GetProperty("max").GetDouble(), Is.EqualTo(values.Min()), "the best value, in the metric's direction");
        Assert.That(summary.GetProperty("mean").GetDouble(), Is.EqualTo(values.Average()).Within(1e-12));
        var runDirectory = root.GetProperty("run_directory").GetString()!;
        Assert.That(File.ReadAllText(Path.Combine(runDirectory, "sweep.json")), Is.EqualTo(result.Stdout.TrimEnd()), "sweep.json holds the same document");
        Assert.That(Directory.GetDirectories(runDirectory, "trial-*"), Has.Length.EqualTo(8));
        Assert.That(result.Stderr, Does.Contain("8/8 done"), "progress went to stderr, so stdout is one JSON document");
    }

    [Test]
    public void Run_resume_adds_trials_to_the_ended_sweep_of_a_run_folder()
    {
        var path = Experiment();
        var first = JsonDocument.Parse(CliRunner.Run("run", path, "--workers", "2", "--out", _dir, "--format", "json").Stdout).RootElement.Clone();
        var runDirectory = first.GetProperty("run_directory").GetString()!;

        var result = CliRunner.Run("run", "--resume", runDirectory, "--trials", "+3", "--workers", "2", "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var resumed = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.That((resumed.GetProperty("id").GetString(), resumed.GetProperty("run_directory").GetString()), Is.EqualTo((first.GetProperty("id").GetString(), runDirectory)));
        var trials = resumed.GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials.Select(t => t.GetProperty("index").GetInt32()), Is.EquivalentTo(Enumerable.Range(0, 11)));
        Assert.That(trials.Where(t => t.GetProperty("index").GetInt32() < 8).Select(t => t.GetProperty("params").GetRawText()),
            Is.EquivalentTo(first.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("params").GetRawText())), "the earlier trials are kept");
        Assert.That(resumed.GetProperty("summary").GetProperty("completed").GetInt32(), Is.EqualTo(11));
        Assert.That(resumed.GetProperty("best").GetProperty("metrics").GetProperty("value").GetDouble(),
            Is.EqualTo(trials.Min(t => t.GetProperty("metrics").GetProperty("value").GetDouble())));
        Assert.That(Directory.GetDirectories(runDirectory, "trial-*"), Has.Length.EqualTo(11), "the new trials' folders go in the same run folder");
        Assert.That(File.ReadAllText(Path.Combine(runDirectory, "sweep.json")), Is.EqualTo(result.Stdout.TrimEnd()));

        Assert.That(CliRunner.Run("run", "--resume", runDirectory).Stderr.Trim(), Is.EqualTo("--resume needs --trials +N: how many trials to add"));
        Assert.That(CliRunner.Run("run", path, "--resume", runDirectory, "--trials", "1").Stderr, Does.StartWith("give the experiment FILE or --resume RUN_DIR, not both"));
        Assert.That(CliRunner.Run("run", "--resume", runDirectory, "--trials", "1", "--seed", "3").Stderr, Does.StartWith("--seed and --epochs are the sweep's own"));
        var notARun = CliRunner.Run("run", "--resume", _dir, "--trials", "1");
        Assert.That((notARun.ExitCode, notARun.Stderr.Trim()), Is.EqualTo((2, $"{_dir} is not the run folder of an ended sweep: cannot read {_dir}/submission.json: there is no such file")));
    }

    [Test]
    public void Run_warm_start_feeds_an_earlier_run_folders_trials_to_the_new_sweeps_sampler()
    {
        var path = Experiment();
        var first = JsonDocument.Parse(CliRunner.Run("run", path, "--workers", "2", "--out", _dir, "--format", "json").Stdout).RootElement.Clone();
        var runDirectory = first.GetProperty("run_directory").GetString()!;
        var result = CliRunner.Run("run", path, "--warm-start", runDirectory, "--workers", "2", "--out", _dir, "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Stderr, Does.Contain($"warm start from {first.GetProperty("id").GetString()}: 8 trials used as observations, 0 not fitting this space"));
        var second = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.That(second.GetProperty("warm_start").GetProperty("used").GetInt32(), Is.EqualTo(8), "sweep.json says so too");
        Assert.That(second.GetProperty("trials").GetArrayLength(), Is.EqualTo(8));
        Assert.That(CliRunner.Run("run", "--resume", runDirectory, "--trials", "1", "--warm-start", runDirectory).Stderr, Does.StartWith("--warm-start starts a new sweep"));
    }

    [Test]
    public void The_same_seed_runs_the_same_trials_as_plan_lists()
    {
        var path = Experiment();
        var run = JsonDocument.Parse(CliRunner.Run("run", path, "--workers", "2", "--out", _dir, "--format", "json").Stdout).RootElement;
        var plan = JsonDocument.Parse(CliRunner.Run("plan", path, "--format", "json").Stdout).RootElement;
        Assert.That(run.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("params").GetRawText()),
            Is.EqualTo(plan.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("params").GetRawText())));
    }

    [Test]
    public void Gpu_trials_run_on_cpu_here_and_it_says_so_once()
    {
        var result = CliRunner.Run("run", Experiment("resources_per_worker: {cpu: 1, gpu: 1}"), "--out", _dir, "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Stderr.Split('\n').Count(l => l.StartsWith("note: this machine has no GPU", StringComparison.Ordinal)), Is.EqualTo(1));
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.That(doc.RootElement.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("device").GetString()), Has.All.EqualTo("cpu"));
    }

    [Test]
    public void Table_output_shows_the_studys_figures_and_the_best_parameters()
    {
        var result = CliRunner.Run("run", Experiment(), "--workers", "4", "--out", _dir);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Stdout, Does.Contain("sleepy [").And.Contain("completed: 8 completed, 0 failed, 0 pruned, 0 cancelled"));
        Assert.That(result.Stdout, Does.Match(@"experiment\s+best value\s+mean value\s+std"));
        Assert.That(result.Stdout, Does.Match(@"best trial \d+: seconds=0.3, value=[0-9.]+, grid_point=[ab]"));
    }

    [Test]
    public void Pruned_trials_are_counted_apart_and_never_the_best()
    {
        var path = Path.Combine(_dir, "asha.yml");
        File.WriteAllText(path, "name: asha\nnum_trials: 12\nsampler: random\npruner: sha\nseed: 3\nparams:\n  seconds: 0.3\n  steps: 3\nparam_space:\n  value: uniform(0, 1)\nmetric:\n  name: value\n  direction: maximize\nrun: builtin/sleep\n");
        var result = CliRunner.Run("run", path, "--workers", "2", "--out", _dir, "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var trials = doc.RootElement.GetProperty("trials").EnumerateArray().ToList();
        var pruned = trials.Where(t => t.GetProperty("status").GetString() == "pruned").ToList();
        var completed = trials.Where(t => t.GetProperty("status").GetString() == "completed").ToList();
        Assert.That(pruned, Is.Not.Empty, "ASHA stops the trials outside the best third at epoch 1");
        Assert.That(pruned.Select(t => t.GetProperty("epoch").GetInt32()), Has.All.EqualTo(1));
        Assert.That(pruned.Select(t => t.GetProperty("reason").GetString()), Has.All.StartWith("pruned after epoch 1 (value "));
        Assert.That(pruned.Select(t => t.GetProperty("metrics").GetProperty("value").GetDouble()), Has.All.Not.NaN, "the last value is kept");
        var summary = doc.RootElement.GetProperty("summary");
        Assert.That(summary.GetProperty("pruned").GetInt32(), Is.EqualTo(pruned.Count));
        Assert.That(summary.GetProperty("completed").GetInt32(), Is.EqualTo(completed.Count));
        Assert.That(pruned.Count + completed.Count, Is.EqualTo(12));
        var best = doc.RootElement.GetProperty("best").GetProperty("index").GetInt32();
        Assert.That(completed.Select(t => t.GetProperty("index").GetInt32()), Does.Contain(best), "the best is a completed trial");
    }

    [Test]
    public void Metrics_are_served_while_the_sweep_runs()
    {
        var stderr = new LiveText();
        var run = Task.Run(() => CliRunner.Run(stderr, "run", Experiment(), "--workers", "1", "--out", _dir, "--metrics-port", "0"));
        var url = "";
        NodeProcesses.WaitUntil(() => (url = System.Text.RegularExpressions.Regex.Match(stderr.Text, @"metrics on (http://127\.0\.0\.1:\d+/metrics)").Groups[1].Value) != "",
            TimeSpan.FromSeconds(30), "sweepctl run to say where it serves /metrics");
        using var http = new HttpClient();
        var scraped = "";
        NodeProcesses.WaitUntil(() =>
        {
            try
            {
                scraped = http.GetStringAsync(url).Result;
            }
            catch (AggregateException)
            {
                return false; // not serving yet
            }
            return scraped.Contains("sweep_trials_running{", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), "/metrics to show the running sweep");
        Assert.That(scraped, Does.Contain("sweep_trials_started_total{").And.Contain("sweep_name=\"sleepy\""));
        Assert.That(run.Result.ExitCode, Is.Zero, run.Result.Stderr);
    }

    [Test]
    public void A_trial_whose_value_never_changes_completes_but_is_called_suspect()
    {
        var path = Path.Combine(_dir, "flat.yml");
        File.WriteAllText(path, "name: flat\nnum_trials: 1\nparams: {seconds: 0.03, steps: 3, value: 0.5}\nmetric: {name: value, direction: maximize}\nrun: builtin/sleep\n");
        var result = CliRunner.Run("run", path, "--out", _dir, "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var trial = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("trials")[0];
        Assert.That((trial.GetProperty("status").GetString(), trial.GetProperty("reason").GetString()),
            Is.EqualTo(("completed", "suspect: its value was 0.5 after each of its 3 epochs")));
        var table = CliRunner.Run("run", path, "--out", _dir);
        Assert.That(table.Stdout, Does.Contain("suspect: its value was 0.5 after each of its 3 epochs"), "the table and the best trial say it too");
    }

    [Test]
    public void A_trial_that_fails_does_not_stop_the_sweep()
    {
        var path = Path.Combine(_dir, "branin.yml");
        File.WriteAllText(path, "name: b\nnum_trials: 6\nsampler: random\nparam_space:\n  x1: uniform(8, 14)\n  x2: uniform(0, 15)\nmetric:\n  name: value\n  direction: minimize\nrun: builtin/branin\n");
        var result = CliRunner.Run("run", path, "--out", _dir, "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var trials = doc.RootElement.GetProperty("trials").EnumerateArray().ToList();
        var failed = trials.Where(t => t.GetProperty("status").GetString() == "failed").ToList();
        Assert.That(failed, Is.Not.Empty, "x1 beyond 10 is outside Branin's domain");
        Assert.That(failed.Select(t => t.GetProperty("reason").GetString()), Has.All.StartsWith("x1: needs a number in [-5, 10]"));
        Assert.That(doc.RootElement.GetProperty("summary").GetProperty("failed").GetInt32(), Is.EqualTo(failed.Count));
        Assert.That(doc.RootElement.GetProperty("summary").GetProperty("completed").GetInt32(), Is.EqualTo(6 - failed.Count));
    }
}

/// <summary>Names a careless user writes: the run folder is made from them and must fit on the disk.</summary>
[NonParallelizable]
public class LongNameTests
{
    [Test]
    public void A_name_of_three_hundred_characters_still_makes_a_run_folder()
    {
        var dir = Directory.CreateTempSubdirectory("long-name-").FullName;
        try
        {
            var path = Path.Combine(dir, "long.yml");
            File.WriteAllText(path, Experiments.Sleep(2).Replace("name: sleepy", $"name: \"{new string('n', 300)}\""));
            var result = CliRunner.Run("run", path, "--out", dir, "--format", "json");
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            var sweep = System.Text.Json.JsonDocument.Parse(result.Stdout).RootElement;
            Assert.That(sweep.GetProperty("summary").GetProperty("completed").GetInt32(), Is.EqualTo(2));
            Assert.That(Path.GetFileName(sweep.GetProperty("run_directory").GetString()), Has.Length.EqualTo(64 + 1 + 8), "the name's first 64 letters and the id");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
