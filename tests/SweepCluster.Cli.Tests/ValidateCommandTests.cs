namespace SweepCluster.Cli.Tests;

[Category(TestKinds.Process)]
public class ValidateCommandTests
{
    [Test]
    public void The_seed_experiments_are_valid()
    {
        var files = new[] { "cae.yml", "convnet.yml", "resnet.yml", "vae.yml" }.Select(CliRunner.Experiment).ToArray();
        var result = CliRunner.Run(["validate", .. files]);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Stdout, Does.Contain("convnet.yml: valid ('Simple CNN': 1 trial of convnet, sampler tpe, maximize test_f1)"));
        Assert.That(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(4));
    }

    [Test]
    public void An_invalid_file_exits_2_with_every_error_and_the_valid_files_still_reported()
    {
        var bad = CliRunner.TempFile(File.ReadAllText(CliRunner.Experiment("convnet.yml"))
            .Replace("loguniform(0.0001, 0.01)", "loguniform(0, 0.01)")
            .Replace("randint(32, 256)", "randint(256, 32)"));
        try
        {
            var result = CliRunner.Run("validate", CliRunner.Experiment("cae.yml"), bad);
            Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
            Assert.That(result.Stdout, Does.Contain("cae.yml: valid"));
            Assert.That(result.Stderr, Does.Contain($"param_space.bs: randint needs lo <= hi (got 256, 32); both bounds are included at {bad}:13:7"));
            Assert.That(result.Stderr, Does.Contain($"param_space.lr: loguniform needs lo > 0 (got 0) at {bad}:14:7"));
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Test]
    public void A_network_parameter_missing_from_the_file_is_found_before_any_trial_runs_and_the_networks_keys_are_listed()
    {
        var bad = CliRunner.TempFile(string.Join('\n', File.ReadAllLines(CliRunner.Experiment("convnet.yml")).Where(l => !l.Contains("normalize", StringComparison.Ordinal))));
        try
        {
            foreach (var command in new[] { "validate", "run" })
            {
                var result = CliRunner.Run(command, bad);
                Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.InvalidInput), command);
                Assert.That(result.Stderr, Does.Contain($"run: convnet cannot train trial 0: normalize: the trial has no value for it; set it under params or param_space "
                    + "(convnet reads epochs, bs (whole numbers), optimizer (adam or sgd, or a branch {name, lr, momentum}), lr (> 0), normalize (yes or no); "
                    + $"and out_channels (2 whole numbers)) at {bad}"), command);
            }
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Test]
    public void A_real_process_exits_2_without_a_stack_trace()
    {
        var bad = CliRunner.TempFile("name: x\nnum_trails: 3\n");
        try
        {
            var result = CliRunner.RunProcess("validate", bad);
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Stderr, Does.Contain("num_trails: unknown key; did you mean 'num_trials'?"));
            Assert.That(result.Stderr, Does.Not.Contain("   at "), "no stack trace");
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Test]
    public void A_missing_file_is_named()
    {
        var result = CliRunner.Run("validate", "/nonexistent/exp.yml");
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(result.Stderr.Trim(), Is.EqualTo("cannot read the experiment file: no such file at /nonexistent/exp.yml:1:1"));
    }

    [TestCase("validate")]
    [TestCase("frobnicate")]
    [TestCase("plan", "x.yml", "--format", "xml")]
    [TestCase("plan", "x.yml", "--trials", "0")]
    [TestCase("plan", "x.yml", "--trials", "many")]
    public void Bad_usage_exits_2_with_a_hint(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(result.Stderr, Does.StartWith("sweepctl: "));
    }
}
