using System.Text.Json;

namespace SweepCluster.Cli.Tests;

[Category(TestKinds.Process)]
public class TrainCommandTests
{
    private string _data = "";

    [OneTimeSetUp]
    public void GenerateSmallSet()
    {
        _data = Directory.CreateTempSubdirectory("train-data-").FullName;
        Assert.That(CliRunner.Run("data", "generate", "--out", _data, "--train", "96", "--test", "32").ExitCode, Is.Zero);
    }

    [OneTimeTearDown]
    public void RemoveSmallSet() => Directory.Delete(_data, recursive: true);

    [Test]
    public void Json_result_holds_params_metrics_epochs_speed_and_artifacts()
    {
        var outDir = Path.Combine(_data, "run");
        var result = CliRunner.Run("train", CliRunner.Experiment("convnet.yml"), "--set", "out_channels=[3,5]", "--set", "bs=16",
            "--set", "optimizer=adam", "--data", _data, "--epochs", "2", "--out", outDir, "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("params").GetProperty("out_channels").EnumerateArray().Select(v => v.GetInt32()), Is.EqualTo(new[] { 3, 5 }));
        Assert.That(root.GetProperty("params").GetProperty("bs").GetInt32(), Is.EqualTo(16));
        Assert.That(root.GetProperty("params").GetProperty("epochs").GetInt32(), Is.EqualTo(5), "the planned value is kept; --epochs overrides it for this run");
        Assert.That(root.GetProperty("metrics").EnumerateObject().Select(m => m.Name), Is.EquivalentTo(new[] { "train_acc", "test_acc", "train_f1", "test_f1" }));
        Assert.That(root.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("epoch").GetInt32()), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(root.GetProperty("train_samples_per_second").GetDouble(), Is.GreaterThan(0));
        Assert.That(File.Exists(root.GetProperty("artifacts").GetProperty("weights").GetString()));
        Assert.That(result.Stderr, Does.Contain("epoch 2: train loss"), "progress goes to stderr when stdout is JSON");
    }

    private JsonElement Train(params string[] args)
    {
        var result = CliRunner.Run(["train", .. args, "--data", _data, "--out", Path.Combine(_data, $"run-{Guid.NewGuid():N}"), "--format", "json"]);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    private static List<double> Losses(JsonElement run) => [.. run.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("train_loss").GetDouble())];

    [Test]
    public void The_same_seed_repeats_a_run_epoch_by_epoch_and_another_seed_gives_another()
    {
        string[] trial = [CliRunner.Experiment("convnet.yml"), "--set", "out_channels=[3,5]", "--set", "bs=16", "--epochs", "2"];
        var (first, again, other) = (Train([.. trial, "--seed", "1"]), Train([.. trial, "--seed", "1"]), Train([.. trial, "--seed", "2"]));
        Assert.That(first.GetProperty("seed").GetInt64(), Is.EqualTo(1));
        Assert.That(Losses(again), Is.EqualTo(Losses(first)));
        Assert.That(Losses(other), Is.Not.EqualTo(Losses(first)));
    }

    [Test]
    public void A_sweeps_trial_runs_again_from_its_folder_with_the_same_numbers()
    {
        var runs = Path.Combine(_data, "runs");
        var run = CliRunner.Run("run", CliRunner.Experiment("convnet.yml"), "--trials", "2", "--epochs", "2", "--data", _data, "--out", runs, "--format", "json");
        Assert.That(run.ExitCode, Is.Zero, run.Stderr);
        var folder = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("trials")[1].GetProperty("artifacts").GetString()!;
        var recorded = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "trial.json"))).RootElement;

        var again = Train("--from", folder);
        Assert.That(again.GetProperty("seed").GetInt64(), Is.EqualTo(recorded.GetProperty("seed").GetInt64()));
        Assert.That(again.GetProperty("params").ToString(), Is.EqualTo(recorded.GetProperty("params").ToString()));
        Assert.That(Losses(again), Is.EqualTo(Losses(recorded)), "bit for bit, epoch by epoch");
        Assert.That(again.GetProperty("metrics").ToString(), Is.EqualTo(recorded.GetProperty("metrics").ToString()));
    }

    [Test]
    public void Study_runs_each_experiment_unpruned_and_tables_it_beside_the_studys_figures()
    {
        var runs = Path.Combine(_data, "study");
        var result = CliRunner.Run("study", CliRunner.Experiment("convnet.yml"), CliRunner.Experiment("vae.yml"), "--trials", "3", "--epochs", "2",
            "--data", _data, "--out", runs);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var lines = result.Stdout.Split('\n');
        Assert.That(lines[0], Is.EqualTo("random sampling, no pruning, 3 trials per network; failed trials count as test_f1 0; std is the population's"));
        Assert.That(lines[1], Does.Match(@"^network\s+completed\s+failed\s+best test_f1\s+mean test_f1\s+std\s+minutes\s+study: best\s+mean\s+std$"));
        Assert.That(lines[2], Does.Match(@"^Convolutional Classifier\s+\d\s+\d\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+0\.991\s+0\.910\s+0\.120$"));
        Assert.That(lines[3], Does.Match(@"^Variational Autoencoder\s+\d\s+\d\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+0\.982\s+0\.429\s+0\.414$"));
        var sweeps = Directory.GetFiles(runs, "sweep.json", SearchOption.AllDirectories).Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement).ToList();
        Assert.That(sweeps, Has.Count.EqualTo(2));
        foreach (var sweep in sweeps)
        {
            var trials = sweep.GetProperty("trials").EnumerateArray().ToList();
            Assert.That(trials, Has.Count.EqualTo(3));
            Assert.That(trials.Where(t => t.GetProperty("status").GetString() == "completed").Select(t => t.GetProperty("epoch").GetInt32()), Has.All.EqualTo(2),
                "no trial is stopped early");
        }
    }

    [Test]
    public void Train_needs_a_file_or_a_trial_folder_and_names_a_missing_one()
    {
        var neither = CliRunner.Run("train", "--data", _data);
        Assert.That((neither.ExitCode, neither.Stderr.Trim()), Is.EqualTo((ExitCodes.InvalidInput, "sweepctl train: give an experiment FILE, or --from a trial's folder (not both)")));
        var missing = CliRunner.Run("train", "--from", "/nonexistent/trial-0003", "--data", _data);
        Assert.That((missing.ExitCode, missing.Stderr.Trim()), Is.EqualTo((ExitCodes.InvalidInput,
            "sweepctl train: /nonexistent/trial-0003/trial.json: no such file (--from takes a trial's folder, such as runs/<sweep>/trial-0003)")));
    }

    [TestCase("--set", "lrr=0.1", "--set lrr=0.1: the trial has no parameter 'lrr'; did you mean 'lr'?")]
    [TestCase("--set", "lr", "--set lr: needs key=value")]
    [TestCase("--set", "out_channels=[3]", "sweepctl: out_channels: needs a list of 2 whole numbers (got [3])")]
    public void Bad_settings_are_named_and_exit_2(string option, string value, string message)
    {
        var result = CliRunner.Run("train", CliRunner.Experiment("convnet.yml"), option, value, "--data", _data, "--epochs", "1", "--out", Path.Combine(_data, "bad"));
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(result.Stderr, Does.Contain(message));
    }

    [Test]
    public void Running_out_of_memory_is_a_one_line_message_not_a_trace()
    {
        // conv2's weight alone would be 400,000 x 400,000 x 5 x 5 floats: libtorch's allocator refuses it at once.
        var result = CliRunner.Run("train", CliRunner.Experiment("convnet.yml"), "--set", "out_channels=[400000,400000]", "--data", _data, "--epochs", "1",
            "--out", Path.Combine(_data, "oom"));
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Failed));
        Assert.That(result.Stderr.Trim(), Does.StartWith("sweepctl: out of memory: DefaultCPUAllocator: can't allocate memory: you tried to allocate "));
        Assert.That(result.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void A_missing_data_folder_is_named()
    {
        var result = CliRunner.Run("train", CliRunner.Experiment("convnet.yml"), "--data", "/nonexistent/showers", "--epochs", "1");
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(result.Stderr.Trim(), Is.EqualTo("sweepctl: /nonexistent/showers: no such directory"));
    }

    /// <summary>The training issue's "done when": the study's best CNN shape on the default synthetic set, 5 epochs.</summary>
    [Test]
    public void The_good_convnet_configuration_reaches_test_f1_095_on_the_synthetic_data()
    {
        var cache = Directory.CreateTempSubdirectory("sweep-cache-").FullName;
        try
        {
            var result = CliRunner.RunProcess(new Dictionary<string, string> { ["SWEEP_CACHE_DIR"] = cache }, TimeSpan.FromMinutes(25), null,
                "train", CliRunner.Experiment("convnet.yml"), "--set", "optimizer=adam", "--set", "lr=0.002", "--set", "bs=128",
                "--set", "out_channels=[14,18]", "--set", "normalize=yes", "--out", Path.Combine(cache, "run"), "--format", "json");
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            using var doc = JsonDocument.Parse(result.Stdout);
            var f1 = doc.RootElement.GetProperty("metrics").GetProperty("test_f1").GetDouble();
            TestContext.Out.WriteLine($"test_f1 {f1:F4}, {doc.RootElement.GetProperty("train_samples_per_second").GetDouble():F0} samples/s");
            Assert.That(f1, Is.GreaterThanOrEqualTo(0.95));
            Assert.That(Directory.GetFiles(cache, "*.h5", SearchOption.AllDirectories), Has.Length.EqualTo(2), "the synthetic set was generated once into the cache");
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
