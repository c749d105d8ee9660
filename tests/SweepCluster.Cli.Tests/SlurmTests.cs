using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// <c>infra/slurm/sweep.sbatch</c> submitted with <c>sbatch</c> to a real SLURM on this machine: two tasks on its one host
/// (task 0 coordinator and worker, task 1 a worker joining it), the store in a shared folder.
/// </summary>
[NonParallelizable]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Category(TestKinds.Process)]
[Category(Peers.Category)]
public sealed class SlurmTests
{
    // Fixed, since task 1 must know where task 0 is; far from the defaults a user's own nodes take.
    private const string Ports = "--port 24053 --cmd-port 29110";
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(4);
    private SlurmCluster _slurm = null!;
    private string _root = null!;

    [OneTimeSetUp]
    public void StartSlurm()
    {
        _root = Directory.CreateTempSubdirectory("sweep-slurm-jobs-").FullName;
        _slurm = new SlurmCluster();
    }

    [OneTimeTearDown]
    public void StopSlurm()
    {
        _slurm.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [TearDown]
    public void ReportIfFailed()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Failed) return;
        foreach (var output in Directory.EnumerateFiles(_root, "job-*.out")) TestContext.Out.WriteLine($"--- {output}:\n{File.ReadAllText(output)}");
    }

    [Test]
    public void An_sbatch_job_starts_a_node_per_task_and_runs_the_sweep_to_the_end()
    {
        var shared = Folder("shared-1");
        var job = Sbatch(shared, Experiment("six", Experiments.Sleep(6, seconds: 1, extra: "pruner: none")));
        _slurm.WaitUntilEnded(job, JobTimeout);

        Assert.That(_slurm.State(job), Is.EqualTo("COMPLETED"), "the script ended the job once the sweep had ended");
        var output = Output(job);
        var host = Environment.MachineName;
        Assert.That(output, Does.Contain($"node akka.tcp://sweep@{host}:24053 [coordinator,worker] started"));
        Assert.That(output, Does.Contain($"node akka.tcp://sweep@{host}:24054 [worker] started"), "task 1 on the same host took the next port");
        var sweep = SweepFile(shared);
        Assert.That(output, Does.Contain($"sweep {sweep.GetProperty("id").GetString()}"));
        Assert.That(sweep.GetProperty("state").GetString(), Is.EqualTo("completed"));
        var trials = sweep.GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials.Select(t => t.GetProperty("status").GetString()), Is.EqualTo(Enumerable.Repeat("completed", 6)));
        Assert.That(trials.Select(t => t.GetProperty("node").GetString()).Distinct().Count(), Is.EqualTo(2), "both tasks' workers ran trials");
        Assert.That(output, Does.Contain("left the cluster"), "the nodes left gracefully");
        Assert.That(File.Exists(Path.Combine(shared, "endpoint")), Is.False, "the endpoint file goes with the coordinator's node");
        Assert.That(File.GetUnixFileMode(Path.Combine(shared, "token")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void A_cancelled_job_is_resumed_from_the_journal_by_the_next_with_every_trial_ending_once()
    {
        var shared = Folder("shared-2");
        var file = Experiment("eight", Experiments.Sleep(8, seconds: 6, steps: 3, extra: "pruner: none"));
        var first = Sbatch(shared, file);
        NodeProcesses.WaitUntil(() => Directory.Exists(Path.Combine(shared, "runs")) && Directory.EnumerateFiles(Path.Combine(shared, "runs"), "trial.json", SearchOption.AllDirectories).Count() >= 2,
            JobTimeout, "two trials to end in the first allocation");
        _slurm.Run("scancel", first).Check();
        _slurm.WaitUntilEnded(first, JobTimeout);
        Assert.That(File.Exists(Path.Combine(shared, "runs", "sleepy-" + SweepId(first), "sweep.json")), Is.False, "the sweep was cut short");

        var second = Sbatch(shared, file);
        _slurm.WaitUntilEnded(second, JobTimeout);

        Assert.That(SweepId(second), Is.EqualTo(SweepId(first)), "the second allocation found the sweep the first one started");
        var sweep = SweepFile(shared);
        Assert.That(sweep.GetProperty("state").GetString(), Is.EqualTo("completed"));
        var trials = sweep.GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials.Select(t => t.GetProperty("index").GetInt32()).Order(), Is.EqualTo(Enumerable.Range(0, 8)), "each trial once");
        Assert.That(trials.Select(t => t.GetProperty("status").GetString()), Is.All.EqualTo("completed"));
        foreach (var trial in trials)
            Assert.That(trial.GetProperty("metrics").GetProperty("value").GetDouble(), Is.EqualTo(trial.GetProperty("params").GetProperty("value").GetDouble()));
    }

    [Test]
    public void Before_the_time_limit_the_nodes_give_their_trials_back_and_the_next_allocation_finishes_them_from_their_checkpoints()
    {
        var shared = Folder("shared-3");
        // Two trials of 40 s (8 steps, a checkpoint after each) in a 2-minute job whose nodes leave 90 s before its end.
        var file = Experiment("long", Experiments.Sleep(2, seconds: 40, steps: 8, extra: "pruner: none"));
        var first = Sbatch(shared, file, "--leave-before 90", minutes: 2);
        _slurm.WaitUntilEnded(first, JobTimeout);

        Assert.That(_slurm.State(first), Is.EqualTo("COMPLETED"), "the nodes left before SLURM had to stop them");
        var output = Output(first);
        Assert.That(output.Split('\n').Count(l => l.Contains("this worker is leaving: it gives back 1 running trial attempts")), Is.EqualTo(2), output);
        var id = SweepId(first);

        var second = Sbatch(shared, file);
        _slurm.WaitUntilEnded(second, JobTimeout);

        var sweep = SweepFile(shared);
        Assert.That(sweep.GetProperty("id").GetString(), Is.EqualTo(id));
        Assert.That(sweep.GetProperty("state").GetString(), Is.EqualTo("completed"));
        foreach (var trial in sweep.GetProperty("trials").EnumerateArray())
        {
            Assert.That(trial.GetProperty("status").GetString(), Is.EqualTo("completed"));
            Assert.That(trial.GetProperty("attempt").GetInt32(), Is.EqualTo(2), "given back once, run again once");
            Assert.That(trial.TryGetProperty("failed_attempts", out var failed) ? failed.GetArrayLength() : 0, Is.Zero, "a trial given back has not failed");
            var attempt2 = JsonDocument.Parse(File.ReadAllText(Path.Combine(trial.GetProperty("artifacts").GetString()!, "trial.json"))).RootElement;
            Assert.That(attempt2.GetProperty("epochs")[0].GetProperty("epoch").GetInt32(), Is.GreaterThan(1), "attempt 2 went on from attempt 1's checkpoint");
        }
    }

    private string Folder(string name) => Path.Combine(_root, name);

    private string Experiment(string name, string yaml)
    {
        var file = Path.Combine(_root, name + ".yml");
        File.WriteAllText(file, yaml);
        return file;
    }

    private string Sbatch(string shared, string experiment, string nodeArgs = "", int minutes = 10) =>
        _slurm.Submit(new Dictionary<string, string>
        {
            ["SWEEPCTL"] = Path.Combine(TestContext.CurrentContext.TestDirectory, "sweepctl"),
            ["SWEEP_NODE_ARGS"] = $"{Ports} --cpu-slots 1 {nodeArgs}",
        },
            "-n", "2", "--ntasks-per-node=2", $"--time={minutes}", "-o", Path.Combine(_root, "job-%j.out"),
            Path.Combine(RepoPaths.Root, "infra", "slurm", "sweep.sbatch"), shared, experiment);

    private string Output(string job) => File.ReadAllText(Path.Combine(_root, $"job-{job}.out"));

    private string SweepId(string job) =>
        Output(job).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("sweep ", StringComparison.Ordinal) && l.Length < 20)?[6..]
        ?? throw new AssertionException($"job {job} printed no sweep id:\n{Output(job)}");

    private static JsonElement SweepFile(string shared) =>
        JsonDocument.Parse(File.ReadAllText(Directory.EnumerateFiles(Path.Combine(shared, "runs"), "sweep.json", SearchOption.AllDirectories).Single())).RootElement;
}
