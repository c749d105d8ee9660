namespace SweepCluster.Cli.Tests;

/// <summary>
/// The check before a sweep: a trainer that cannot run is refused before any trial is scheduled, by <c>run</c> and by
/// <c>sweep submit</c>, with the reason; one that can runs as before.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class TrainerCheckTests
{
    private string _dir = "";

    [SetUp]
    public void MakeFolder()
    {
        _dir = Directory.CreateTempSubdirectory("trainer-check-").FullName;
        Assert.That(CliRunner.Run("data", "generate", "--out", Path.Combine(_dir, "data"), "--train", "64", "--test", "32").ExitCode, Is.Zero);
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    /// <summary>validate accepts it (every key is there), but no trial can build the network: too many halvings for 80x80 images.</summary>
    private string TooDeepAutoencoder()
    {
        var path = Path.Combine(_dir, "deep.yml");
        File.WriteAllText(path, """
            name: deep cae
            num_trials: 3
            sampler: random
            params:
              epochs: 1
              bs: 16
              lr: 0.001
              optimizer: adam
              normalize: "yes"
              first_conv_out_channels: 2
              latent_size: 4
              reg: 0.01
            param_space:
              depth: randint(7, 8)
            metric:
              name: test_f1
              direction: maximize
            run: [src/cae.py]
            """);
        Assert.That(CliRunner.Run("validate", path).ExitCode, Is.Zero, "the file is valid: only running the network shows the problem");
        return path;
    }

    private string Program(string checkBehaviour)
    {
        File.WriteAllText(Path.Combine(_dir, "train.py"), $$"""
            import json, os, sys
            if "--check" in sys.argv:
                open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "checked"), "w").write(os.environ.get("SWEEP_CHECK", "") + " " + sys.argv[1])
                {{checkBehaviour}}
                sys.exit(0)
            params = json.load(open(sys.argv[1]))
            print(json.dumps({"epoch": 1, "score": params["x"]}))
            """);
        var path = Path.Combine(_dir, "exp.yml");
        File.WriteAllText(path, """
            name: mine
            num_trials: 2
            sampler: random
            check: true
            param_space:
              x: uniform(0, 1)
            metric:
              name: score
              direction: maximize
            run: [train.py]
            """);
        return path;
    }

    [Test]
    public void Run_refuses_a_network_that_cannot_be_built_before_any_trial_and_starts_it_with_no_check()
    {
        var experiment = TooDeepAutoencoder();
        var refused = CliRunner.Run("run", experiment, "--data", Path.Combine(_dir, "data"), "--out", Path.Combine(_dir, "runs"));
        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(refused.Stderr, Does.Contain($"{experiment}: the trainer's check failed, so no trial was started: depth:").And.Contain("halvings leave a 1x1 code"));
        Assert.That(Directory.Exists(Path.Combine(_dir, "runs")), Is.False, "nothing was submitted: no run folder");

        var notChecked = CliRunner.Run("run", experiment, "--data", Path.Combine(_dir, "data"), "--out", Path.Combine(_dir, "runs"), "--no-check");
        Assert.That(notChecked.ExitCode, Is.EqualTo(ExitCodes.Failed), "started, every trial fails the same way");
        Assert.That(notChecked.Stderr, Does.Contain("no trial of sweep").And.Contain("completed (3 failed"));
    }

    [Test]
    public void A_program_that_fails_its_own_check_is_refused_with_its_error_and_one_that_passes_runs()
    {
        var failing = Program("sys.exit('the model does not fit in memory')");
        var refused = CliRunner.Run("run", failing, "--out", Path.Combine(_dir, "runs"));
        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(refused.Stderr, Does.Contain("the trainer's check failed, so no trial was started: train.py exited with status 1").And.Contain("the model does not fit in memory"));
        Assert.That(File.ReadAllText(Path.Combine(_dir, "checked")), Does.StartWith("1 ").And.EndWith("params.json"), "run with --check after its parameters file, SWEEP_CHECK=1");

        var passing = Program("pass");
        var ran = CliRunner.Run("run", passing, "--out", Path.Combine(_dir, "runs"));
        Assert.That(ran.ExitCode, Is.Zero, ran.Stderr);
        Assert.That(ran.Stdout, Does.Contain("completed"));
    }

    [Test]
    public void Sweep_submit_refuses_a_network_that_cannot_be_built_before_the_node_sees_it()
    {
        using var nodes = new NodeProcesses();
        var node = nodes.Start("coordinator,worker");
        var experiment = TooDeepAutoencoder();
        var refused = CliRunner.Run(node.Address, "sweep", "submit", "-f", experiment);
        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.InvalidInput), refused.Stderr);
        Assert.That(refused.Stderr, Does.Contain("the trainer's check failed here, so the sweep was not submitted: depth:"));
        Assert.That(ClusterCommands.Json(node.Address, "sweep", "list").GetProperty("sweeps").GetArrayLength(), Is.Zero, "the node never saw it");

        var submitted = CliRunner.Run(node.Address, "sweep", "submit", "-f", experiment, "--check", "no");
        Assert.That(submitted.ExitCode, Is.Zero, submitted.Stderr);
        Assert.That(ClusterCommands.Json(node.Address, "sweep", "list").GetProperty("sweeps").GetArrayLength(), Is.EqualTo(1));
    }
}
