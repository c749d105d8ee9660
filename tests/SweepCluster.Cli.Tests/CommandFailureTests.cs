using System.Diagnostics;
using static SweepCluster.Cli.Tests.ClusterChecks;
using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A worker node killed with SIGKILL while it runs a trial of the user's program: the program goes with it (the reaper), and the
/// trial resumes on the other worker from the checkpoint the program wrote in the shared checkpoint folder.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class CommandFailureTests
{
    private const string Script = """
        import json, os, sys, time
        params = json.load(open(sys.argv[1]))
        checkpoints = os.environ["SWEEP_CHECKPOINT_DIR"]
        open(os.path.join(checkpoints, "pid-" + os.environ["SWEEP_ATTEMPT"]), "w").write(str(os.getpid()))
        state = os.path.join(checkpoints, "epoch.json")
        start = json.load(open(state))["epoch"] if os.path.exists(state) else 0
        if start:
            print("resuming after epoch", start, file=sys.stderr)
        for epoch in range(start + 1, params["epochs"] + 1):
            time.sleep(params["seconds"])
            print(json.dumps({"epoch": epoch, "score": epoch / 10}), flush=True)
            json.dump({"epoch": epoch}, open(state + ".tmp", "w"))
            os.replace(state + ".tmp", state)
        """;

    [Test]
    public void A_worker_killed_mid_trial_leaves_no_program_running_and_the_trial_resumes_elsewhere_from_its_checkpoint()
    {
        using var nodes = new NodeProcesses();
        try
        {
            var checkpoints = Path.Combine(nodes.Root, "checkpoints"); // the one path workers share
            var coordinator = nodes.Start("coordinator", extra: FastFailureDetection);
            var workers = new[]
            {
                nodes.Start("worker", coordinator.ClusterAddress, $"--cpu-slots 1 --checkpoints {checkpoints} {FastFailureDetection}"),
                nodes.Start("worker", coordinator.ClusterAddress, $"--cpu-slots 1 --checkpoints {checkpoints} {FastFailureDetection}"),
            };
            WaitForWorkers(coordinator, 2, members: 3);
            var code = Path.Combine(nodes.Root, "code");
            Directory.CreateDirectory(code);
            File.WriteAllText(Path.Combine(code, "train.py"), Script);
            File.WriteAllText(Path.Combine(code, "exp.yml"), "name: resumable\nnum_trials: 1\nsampler: random\npruner: none\nmax_failures: 3\n"
                + "params:\n  epochs: 8\n  seconds: 1\nparam_space:\n  x: uniform(0, 1)\nmetric: {name: score, direction: maximize}\nrun: [train.py]\n");
            var id = Submit(coordinator.Address, Path.Combine(code, "exp.yml"));

            var trialCheckpoints = Path.Combine(checkpoints, id, "trial-0000");
            NodeProcesses.WaitUntil(() => File.Exists(Path.Combine(trialCheckpoints, "epoch.json"))
                && File.ReadAllText(Path.Combine(trialCheckpoints, "epoch.json")).Contains("\"epoch\": 2"), TimeSpan.FromSeconds(60), "two epochs checkpointed");
            var firstProgram = int.Parse(File.ReadAllText(Path.Combine(trialCheckpoints, "pid-1")));
            var victim = workers.Single(w => Runs(coordinator, w));
            NodeProcesses.Kill(victim);
            var deadline = Stopwatch.StartNew();
            while (LiveProcesses.Alive(firstProgram) && deadline.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(100);
            Assert.That(LiveProcesses.Alive(firstProgram), Is.False, "the killed worker's program went with it");

            WaitForCompletion(coordinator, id);
            var trial = Trials(coordinator, id).Single();
            Assert.That(trial.GetProperty("status").GetString(), Is.EqualTo("completed"), nodes.AllLogs());
            Assert.That(trial.GetProperty("attempt").GetInt32(), Is.EqualTo(2));
            Assert.That(trial.GetProperty("node").GetString(), Is.Not.EqualTo(victim.ClusterAddress));
            Assert.That(trial.GetProperty("metrics").GetProperty("score").GetDouble(), Is.EqualTo(0.8).Within(1e-9));
            var resumed = Json(coordinator.Address, "sweep", "logs", "-i", id, "-t", "0").GetProperty("stderr").EnumerateArray().Single().GetString();
            Assert.That(resumed, Does.Match(@"^resuming after epoch [2-7]$"), "the second attempt started from the first one's checkpoint");
        }
        finally
        {
            nodes.ReportIfFailed();
        }
    }

    [Test]
    public void A_sweep_none_of_whose_trials_completes_ends_sweep_watch_with_exit_1_and_the_counts()
    {
        using var nodes = new NodeProcesses();
        try
        {
            var node = nodes.Start("coordinator,worker", extra: "--cpu-slots 2");
            var code = Path.Combine(nodes.Root, "code");
            Directory.CreateDirectory(code);
            File.WriteAllText(Path.Combine(code, "train.py"), "import sys\nprint('the data is missing', file=sys.stderr)\nsys.exit(3)\n");
            File.WriteAllText(Path.Combine(code, "exp.yml"), "name: doomed\nnum_trials: 3\nsampler: random\nmax_failures: 0\n"
                + "param_space:\n  x: uniform(0, 1)\nmetric: {name: score, direction: maximize}\nrun: [train.py]\n");
            var id = Submit(node.Address, Path.Combine(code, "exp.yml"));

            var watch = CliRunner.Run(node.Address, "sweep", "watch", "-i", id);
            Assert.That(watch.ExitCode, Is.EqualTo(ExitCodes.Failed), watch.Stdout + watch.Stderr);
            Assert.That(watch.Stderr, Does.Contain($"sweepctl: no trial of sweep {id} completed (3 failed, 0 pruned); trial 0 failed: "
                + "train.py exited with status 3; its standard error ends: the data is missing"));
        }
        finally
        {
            nodes.ReportIfFailed();
        }
    }
}
