using System.Diagnostics;
using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// Trials of the user's own program (docs/trial-contract.md), run by <c>sweepctl run</c> as a user runs them: the contract's
/// environment, reports and logs, a one-line reason for each way a program can go wrong, and no process left behind.
/// </summary>
[NonParallelizable]
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

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].StartsWith('Z');

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
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var trials = Trials(result);
        Assert.That(trials.Select(t => t.GetProperty("status").GetString()), Has.All.EqualTo("failed"));
        var reasons = trials.Select(t => t.GetProperty("reason").GetString()!).ToList();
        Assert.That(reasons[0], Does.StartWith("train.py exited with status 3; its standard error ends: boom: the data is missing"));
        Assert.That(reasons[1], Does.StartWith("reported no score: no line of its output was a JSON object holding \"score\""));
        Assert.That(reasons[2], Does.StartWith("reported no score: no line of its output was a JSON object holding \"score\" (line 2 of its output looked like a report but it is not valid JSON"));
        Assert.That(reasons[3], Does.StartWith("timeout: still running after 3 s"));
        Assert.That(reasons, Has.All.Not.Contains("\n"));
        Assert.That(Alive(PidOf(trials[3])), Is.False, "the hung program was stopped with its trial");
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
        Assert.That(pruned.Select(PidOf).Where(Alive), Is.Empty, "each pruned trial's program is gone once the sweep has ended");
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
        Assert.That(pids.All(Alive));
        sweepctl.Kill(); // SIGKILL: nothing in the worker runs after this
        sweepctl.WaitForExit();
        while (pids.Any(Alive) && deadline.Elapsed < TimeSpan.FromSeconds(90)) Thread.Sleep(100);
        var left = pids.Where(Alive).ToList();
        foreach (var pid in left) Process.GetProcessById(pid).Kill(); // the test leaves nothing behind either way
        Assert.That(left, Is.Empty, "the reaper stopped both programs when their worker died");
    }
}
