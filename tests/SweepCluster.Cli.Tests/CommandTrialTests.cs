using System.Diagnostics;
using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// Trials of the user's own program (docs/trial-contract.md), run by <c>sweepctl run</c> as a user runs them: the contract's
/// environment, reports and logs, a one-line reason for each way a program can go wrong, and no process left behind.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class CommandTrialTests
{
    private string _dir = "";

    [SetUp]
    public void MakeFolder() => _dir = Directory.CreateTempSubdirectory("command-trials-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    /// <summary>A standard-library Python program whose behaviour its <c>mode</c> parameter picks; it writes its pid first.</summary>
    private const string Script = """
        import json, os, sys, time
        params = json.load(open(sys.argv[1]))
        trial_dir = os.environ["SWEEP_TRIAL_DIR"]
        open(os.path.join(trial_dir, "pid"), "w").write(str(os.getpid()))
        env = {k: v for k, v in os.environ.items() if k.startswith("SWEEP_") or k in ("CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS")}
        env["cwd"] = os.getcwd()
        json.dump(env, open(os.path.join(trial_dir, "env.json"), "w"))
        mode = params.get("mode", "good")
        print("starting", mode)
        if mode == "exit3":
            print("boom: the data is missing", file=sys.stderr)
            sys.exit(3)
        if mode == "silent":
            sys.exit(0)
        if mode == "malformed":
            print('{"score": 0.5,')
            sys.exit(0)
        if mode == "hang":
            time.sleep(600)
        x = params["x"]
        for epoch in range(1, params["epochs"] + 1):
            time.sleep(params.get("pause", 0))
            print(json.dumps({"epoch": epoch, "score": x * epoch, "loss": 1.0 / epoch}))
        """;

    private string Experiment(string modes, string extra = "", string space = "  x: uniform(0, 1)")
    {
        File.WriteAllText(Path.Combine(_dir, "train.py"), Script);
        var path = Path.Combine(_dir, "exp.yml");
        File.WriteAllText(path, $"""
            name: mine
            num_trials: 1
            sampler: random
            pruner: none
            max_failures: 0
            {extra}
            params:
              epochs: 3
            param_space:
            {space}
              mode: grid({modes})
            metric:
              name: score
              direction: maximize
            run: [train.py]
            """);
        return path;
    }

    private static List<JsonElement> Trials(CliResult result) =>
        [.. JsonDocument.Parse(result.Stdout).RootElement.GetProperty("trials").EnumerateArray().OrderBy(t => t.GetProperty("index").GetInt32())];

    /// <summary>The pid the trial's program wrote in its folder (a failed trial's folder is there too, though its document names none).</summary>
    private int PidOf(JsonElement trial) => int.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(_dir, "runs"), "pid", SearchOption.AllDirectories)
        .Single(f => Path.GetFileName(Path.GetDirectoryName(f)) == $"trial-{trial.GetProperty("index").GetInt32():D4}")));

    [Test]
    public void A_program_gets_the_trial_in_its_environment_and_its_reports_become_epochs()
    {
        var result = CliRunner.Run("run", Experiment("['good']"), "--out", Path.Combine(_dir, "runs"), "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var trial = Trials(result).Single();
        var folder = trial.GetProperty("artifacts").GetString()!;
        var x = trial.GetProperty("params").GetProperty("x").GetDouble();
        Assert.That(trial.GetProperty("status").GetString(), Is.EqualTo("completed"));
        Assert.That(trial.GetProperty("metrics").GetProperty("score").GetDouble(), Is.EqualTo(3 * x).Within(1e-9));
        Assert.That(trial.GetProperty("metrics").GetProperty("loss").GetDouble(), Is.EqualTo(1.0 / 3).Within(1e-9), "other numbers of the last report are kept");
        Assert.That(trial.GetProperty("curve").EnumerateArray().Select(e => e.GetProperty("value").GetDouble()), Is.EqualTo(new[] { x, 2 * x, 3 * x }).Within(1e-9));

        var env = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "env.json"))).RootElement;
        Assert.That(env.GetProperty("cwd").GetString(), Is.EqualTo(_dir), "commands run in the code folder");
        Assert.That(JsonDocument.Parse(env.GetProperty("SWEEP_PARAMS").GetString()!).RootElement.GetProperty("x").GetDouble(), Is.EqualTo(x));
        Assert.That(File.ReadAllText(env.GetProperty("SWEEP_PARAMS_FILE").GetString()!), Is.EqualTo(env.GetProperty("SWEEP_PARAMS").GetString()));
        Assert.That(env.GetProperty("SWEEP_TRIAL_DIR").GetString(), Is.EqualTo(folder));
        Assert.That(Directory.Exists(env.GetProperty("SWEEP_CHECKPOINT_DIR").GetString()), "the checkpoint folder is there to write to");
        Assert.That((env.GetProperty("SWEEP_TRIAL").GetString(), env.GetProperty("SWEEP_ATTEMPT").GetString(), env.GetProperty("CUDA_VISIBLE_DEVICES").GetString()),
            Is.EqualTo(("0", "1", "")));
        Assert.That(env.GetProperty("SWEEP_SEED").GetString(), Is.EqualTo(trial.GetProperty("seed").GetInt64().ToString()));
        Assert.That(JsonDocument.Parse(result.Stdout).RootElement.GetProperty("id").GetString(), Is.EqualTo(env.GetProperty("SWEEP_ID").GetString()));
        Assert.That(File.ReadAllText(Path.Combine(folder, "stdout.log")), Does.StartWith("starting good\n"), "output is kept in the trial's folder");
    }

    [Test]
    public void Each_way_a_program_goes_wrong_ends_its_trial_with_a_one_line_reason()
    {
        var result = CliRunner.Run("run", Experiment("['exit3', 'silent', 'malformed', 'hang']", "timeout_per_trial: 3"), "--workers", "4",
            "--out", Path.Combine(_dir, "runs"), "--format", "json");
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Failed), "no trial completed");
        var trials = Trials(result);
        Assert.That(result.Stderr, Does.Contain($"sweepctl: no trial of sweep {JsonDocument.Parse(result.Stdout).RootElement.GetProperty("id").GetString()} completed "
            + "(4 failed, 0 pruned, 0 cancelled); 1 failed with: train.py exited with status 3"));
        Assert.That(trials.Select(t => t.GetProperty("status").GetString()), Has.All.EqualTo("failed"));
        var reasons = trials.Select(t => t.GetProperty("reason").GetString()!).ToList();
        Assert.That(reasons[0], Does.StartWith("train.py exited with status 3; its standard error ends: boom: the data is missing"));
        Assert.That(reasons[1], Does.StartWith("reported no score: no line of its output was a JSON object holding \"score\""));
        Assert.That(reasons[2], Does.StartWith("reported no score: no line of its output was a JSON object holding \"score\" (line 2 of its output looked like a report but it is not valid JSON"));
        Assert.That(reasons[3], Does.StartWith("timeout: still running after 3 s"));
        Assert.That(reasons, Has.All.Not.Contains("\n"));
        Assert.That(LiveProcesses.Alive(PidOf(trials[3])), Is.False, "the hung program was stopped with its trial");
    }

    [Test]
    public void A_single_run_without_a_metric_completes_when_its_program_exits_0_and_keeps_what_it_printed()
    {
        File.WriteAllText(Path.Combine(_dir, "once.py"), """
            import json, sys
            print(json.dumps({"epoch": 1, "accuracy": 0.75, "note": "text is not a metric"}))
            print("{not json}")
            sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 0)
            """);
        var path = Path.Combine(_dir, "once.yml");
        File.WriteAllText(path, "name: once\nkind: experiment\nparams: {code: 0}\nrun: ['python3 once.py {{code}}']\n");
        var result = CliRunner.Run("run", path, "--out", Path.Combine(_dir, "runs"), "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Stderr, Does.Contain("note: metric: not given: a single run needs none"));
        var trial = Trials(result).Single();
        Assert.That(trial.GetProperty("status").GetString(), Is.EqualTo("completed"));
        Assert.That(trial.GetProperty("metrics").GetProperty("exit_status").GetDouble(), Is.Zero);
        Assert.That(trial.GetProperty("metrics").GetProperty("accuracy").GetDouble(), Is.EqualTo(0.75), "the numbers it printed are its metrics");

        File.WriteAllText(path, File.ReadAllText(path).Replace("code: 0", "code: 3"));
        var failed = CliRunner.Run("run", path, "--out", Path.Combine(_dir, "runs"), "--format", "json");
        Assert.That(failed.ExitCode, Is.EqualTo(ExitCodes.Failed));
        Assert.That(Trials(failed).Single().GetProperty("reason").GetString(), Does.StartWith("once.py exited with status 3"));
    }

    [Test]
    public void A_sweep_whose_first_trials_all_fail_alike_stops_instead_of_running_the_rest()
    {
        var path = Experiment("['silent']");
        File.WriteAllText(path, File.ReadAllText(path).Replace("num_trials: 1", "num_trials: 40"));
        var result = CliRunner.Run("run", path, "--workers", "2", "--out", Path.Combine(_dir, "runs"), "--format", "json");
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Failed));
        Assert.That(result.Stderr, Does.Contain("stopped: its first 3 trials all failed the same way, so the others would too: reported no score"));
        var document = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.That((document.GetProperty("state").GetString(), document.GetProperty("stopped_because").GetString()), Is.EqualTo(("cancelled", result.Stderr.Split("stopped: ")[1].Trim())));
        Assert.That(Trials(result).Count(t => t.GetProperty("status").GetString() == "failed"), Is.LessThanOrEqualTo(4), "the other trials never ran");
    }

    [Test]
    public void A_trial_pruned_by_asha_stops_its_program()
    {
        var path = Experiment("['good']", "", "  x: uniform(0, 1)\n  pause: 0.3");
        File.WriteAllText(path, File.ReadAllText(path).Replace("num_trials: 1", "num_trials: 9").Replace("epochs: 3", "epochs: 9").Replace("pruner: none", "pruner: sha"));
        var result = CliRunner.Run("run", path, "--workers", "3", "--out", Path.Combine(_dir, "runs"), "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var pruned = Trials(result).Where(t => t.GetProperty("status").GetString() == "pruned").ToList();
        Assert.That(pruned, Is.Not.Empty, "ASHA keeps the best third at each rung");
        Assert.That(pruned.Select(t => t.GetProperty("epoch").GetInt32()), Has.All.LessThan(9));
        Assert.That(pruned.Select(PidOf).Where(LiveProcesses.Alive), Is.Empty, "each pruned trial's program is gone once the sweep has ended");
    }

    [Test]
    public void A_worker_killed_outright_leaves_none_of_its_programs_running()
    {
        var path = Experiment("['hang', 'hang']");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[Path.Combine(TestContext.CurrentContext.TestDirectory, "sweepctl.dll"), "run", path, "--workers", "2", "--out", Path.Combine(_dir, "runs")])
            start.ArgumentList.Add(arg);
        using var sweepctl = Process.Start(start)!;
        _ = sweepctl.StandardOutput.ReadToEndAsync();
        _ = sweepctl.StandardError.ReadToEndAsync();
        var pids = new List<int>();
        var deadline = Stopwatch.StartNew();
        while (pids.Count < 2 && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(100);
            if (!Directory.Exists(Path.Combine(_dir, "runs"))) continue;
            pids = [.. Directory.GetFiles(Path.Combine(_dir, "runs"), "pid", SearchOption.AllDirectories).Select(f => File.ReadAllText(f)).Where(t => t.Length > 0).Select(int.Parse)];
        }
        Assert.That(pids, Has.Count.EqualTo(2), "both programs started");
        Assert.That(pids.All(LiveProcesses.Alive));
        sweepctl.Kill(); // SIGKILL: nothing in the worker runs after this
        sweepctl.WaitForExit();
        while (pids.Any(LiveProcesses.Alive) && deadline.Elapsed < TimeSpan.FromSeconds(90)) Thread.Sleep(100);
        var left = pids.Where(LiveProcesses.Alive).ToList();
        foreach (var pid in left) Process.GetProcessById(pid).Kill(); // the test leaves nothing behind either way
        Assert.That(left, Is.Empty, "the reaper stopped both programs when their worker died");
    }
}

/// <summary>The examples of docs/trial-contract.md and examples/minimal, run as a reader would run them.</summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class TrialContractDocTests
{
    [Test]
    public void The_minimal_example_finds_a_good_score()
    {
        var runs = Directory.CreateTempSubdirectory("minimal-").FullName;
        try
        {
            var result = CliRunner.Run("run", Path.Combine(RepoPaths.Root, "examples", "minimal", "experiment.yml"), "--trials", "6", "--workers", "2",
                "--out", runs, "--format", "json");
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            var best = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("best");
            Assert.That(best.GetProperty("metrics").GetProperty("score").GetDouble(), Is.GreaterThan(0.05), "TPE's start-up trials find a score above the floor");
        }
        finally
        {
            Directory.Delete(runs, recursive: true);
        }
    }

    [Test]
    public void The_contracts_experiment_is_valid_beside_its_programs()
    {
        var doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "trial-contract.md"));
        var yaml = doc.Split("```yaml\n", 2)[1].Split("```", 2)[0];
        var folder = Directory.CreateTempSubdirectory("contract-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "experiment.yml"), yaml);
            File.WriteAllText(Path.Combine(folder, "train.py"), "");
            File.WriteAllText(Path.Combine(folder, "evaluate"), "#!/bin/sh\n");
            var result = CliRunner.Run("validate", Path.Combine(folder, "experiment.yml"));
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            Assert.That(result.Stdout, Does.Contain("of your program (train.py; ./evaluate --lr {{lr}} --width {{width}})"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>The code travels with the sweep: a worker with a store of its own runs the submitter's folder with nothing shared.</summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class CodeShippingTests
{
    [Test]
    public void A_worker_runs_the_submitted_code_after_the_folder_is_gone()
    {
        using var nodes = new NodeProcesses();
        var coordinator = nodes.Start("coordinator");
        var worker = nodes.Start("worker", seed: coordinator.ClusterAddress, extra: "--cpu-slots 2");
        NodeProcesses.WaitUntil(() => ClusterCommands.Json(coordinator.Address, "node", "show").GetProperty("workers").GetArrayLength() == 1,
            TimeSpan.FromSeconds(60), "the worker to offer its slots");
        var code = Directory.CreateTempSubdirectory("submitted-code-").FullName;
        Directory.CreateDirectory(Path.Combine(code, "lib"));
        File.WriteAllText(Path.Combine(code, "lib", "objective.py"), "def score(x):\n    return -(x - 0.3) ** 2\n");
        File.WriteAllText(Path.Combine(code, "train.py"), """
            import json, os, sys
            sys.path.insert(0, "lib")
            from objective import score
            params = json.load(open(sys.argv[1]))
            print("running in", os.getcwd(), file=sys.stderr)
            print(json.dumps({"score": score(params["x"])}))
            """);
        File.WriteAllText(Path.Combine(code, "big.bin"), new string('x', 1000));
        File.WriteAllText(Path.Combine(code, ".sweepignore"), "*.bin\n");
        File.WriteAllText(Path.Combine(code, "exp.yml"), "name: shipped\nnum_trials: 4\nsampler: random\nparam_space:\n  x: uniform(0, 1)\n"
            + "metric: {name: score, direction: maximize}\nrun: [train.py]\n");

        var submitted = CliRunner.Run(coordinator.Address, "sweep", "submit", "-f", Path.Combine(code, "exp.yml"));
        Assert.That(submitted.ExitCode, Is.Zero, submitted.Stderr);
        Assert.That(submitted.Stderr, Does.Match(@"sent the code folder .* \(4 files, .* KiB\) as package [0-9a-f]{12}"), "exp.yml, .sweepignore, train.py, lib/objective.py");
        Directory.Delete(code, recursive: true); // nothing of the submitter's disk is left for the workers to read
        var id = submitted.Stdout.Trim();
        NodeProcesses.WaitUntil(() => ClusterCommands.Json(coordinator.Address, "sweep", "status", "-i", id).GetProperty("state").GetString() == "completed",
            TimeSpan.FromSeconds(90), "the sweep to end");
        var trials = ClusterCommands.Json(coordinator.Address, "sweep", "trials", "-i", id).GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials.Select(t => t.GetProperty("status").GetString()), Has.All.EqualTo("completed"), nodes.AllLogs());
        foreach (var trial in trials)
            Assert.That(trial.GetProperty("metrics").GetProperty("score").GetDouble(),
                Is.EqualTo(-Math.Pow(trial.GetProperty("params").GetProperty("x").GetDouble() - 0.3, 2)).Within(1e-9));
        var unpacked = Directory.GetDirectories(Path.Combine(worker.Store, "code"));
        Assert.That(unpacked, Has.Length.EqualTo(1), "fetched once, for all four trials");
        Assert.That(File.Exists(Path.Combine(unpacked[0], "big.bin")), Is.False, ".sweepignore kept it out");
        var logs = ClusterCommands.Json(coordinator.Address, "sweep", "logs", "-i", id, "-t", "2");
        Assert.That(logs.GetProperty("stderr").EnumerateArray().Select(l => l.GetString()), Is.EqualTo(new[] { $"running in {unpacked[0]}" }),
            "the program ran in the worker's own copy, and sweep logs reads it from there");
        Assert.That(logs.GetProperty("stdout").EnumerateArray().Single().GetString(), Does.StartWith("{\"score\": "));
    }
}

/// <summary>${VAR} in an experiment file, expanded from the environment of the sweepctl that reads it.</summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class EnvironmentExpansionTests
{
    [Test]
    public void Validate_and_plan_read_the_file_with_its_variables_expanded()
    {
        var path = CliRunner.TempFile("name: ${SWEEP_TEST_NAME:-fallback}\nnum_trials: 1\nparams: {seconds: 0}\nparam_space:\n  value: uniform(0, ${SWEEP_TEST_HIGH})\n"
            + "metric: {name: value, direction: maximize}\nrun: builtin/sleep\n");
        try
        {
            var unset = CliRunner.Run("validate", path);
            Assert.That((unset.ExitCode, unset.Stderr.Trim()),
                Is.EqualTo((2, $"the environment variable SWEEP_TEST_HIGH is not set; set it, or write ${{SWEEP_TEST_HIGH:-default}} at {path}:5:21")));
            Environment.SetEnvironmentVariable("SWEEP_TEST_HIGH", "0.5");
            var plan = System.Text.Json.JsonDocument.Parse(CliRunner.Run("plan", path, "--format", "json").Stdout).RootElement;
            Assert.That(plan.GetProperty("name").GetString(), Is.EqualTo("fallback"));
            Assert.That(plan.GetProperty("trials")[0].GetProperty("params").GetProperty("value").GetDouble(), Is.LessThan(0.5));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SWEEP_TEST_HIGH", null);
            File.Delete(path);
        }
    }
}

/// <summary><c>sweep logs --follow yes</c> on a running trial of a program: every line once, in order, until the trial ends.</summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class FollowLogsTests
{
    [Test]
    public void Following_a_running_trial_prints_each_line_once_and_ends_with_it()
    {
        using var nodes = new NodeProcesses();
        var node = nodes.Start("coordinator,worker", extra: "--cpu-slots 1");
        var code = Path.Combine(nodes.Root, "code");
        Directory.CreateDirectory(code);
        File.WriteAllText(Path.Combine(code, "count.py"), """
            import json, sys, time
            for i in range(1, 13):
                print(f"line {i}", flush=True)
                if i % 4 == 0:
                    print(f"warning {i}", file=sys.stderr, flush=True)
                time.sleep(0.25)
            print(json.dumps({"score": 1}))
            """);
        File.WriteAllText(Path.Combine(code, "exp.yml"), "name: follow\nnum_trials: 1\nsampler: random\npruner: none\nparam_space:\n  x: uniform(0, 1)\n"
            + "metric: {name: score, direction: maximize}\nrun: [count.py]\n");
        var id = ClusterCommands.Submit(node.Address, Path.Combine(code, "exp.yml"));
        NodeProcesses.WaitUntil(() => CliRunner.Run(node.Address, "sweep", "logs", "-i", id, "-t", "0").Stdout.Contains("line 1\n"), TimeSpan.FromSeconds(60),
            "the program to print");

        var followed = CliRunner.RunProcess(new Dictionary<string, string>(), TimeSpan.FromSeconds(60), null, node.Address, "sweep", "logs", "-i", id, "-t", "0",
            "--follow", "yes");
        Assert.That(followed.ExitCode, Is.Zero, followed.Stderr);
        var lines = followed.Stdout.Split('\n').Where(l => l.StartsWith("line ", StringComparison.Ordinal)).ToList();
        Assert.That(lines, Is.EqualTo(Enumerable.Range(1, 12).Select(i => $"line {i}")), "each line once, in order");
        Assert.That(followed.Stdout, Does.Contain("stderr: warning 12"));
        Assert.That(followed.Stdout.Split('\n').Count(l => l.Contains("warning 4", StringComparison.Ordinal)), Is.EqualTo(1));
        var printed = followed.Stdout.TrimEnd().Split('\n');
        Assert.That(printed.Last(l => !l.StartsWith("stderr: ", StringComparison.Ordinal)), Is.EqualTo("{\"score\": 1}"), "it ended with the trial, after its last line");
    }
}
