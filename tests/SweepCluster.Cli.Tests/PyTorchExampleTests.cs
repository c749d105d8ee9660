using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// examples/pytorch: the study's convnet as a PyTorch script of the user's (Debian's python3-torch, h5py and pandas, which
/// make test installs), swept by <c>sweepctl run</c> on a synthetic shower set to a plausible best.
/// </summary>
[NonParallelizable]
public class PyTorchExampleTests
{
    private string _dir = "";
    private string? _path;

    [SetUp]
    public void UseDebiansPython()
    {
        _dir = Directory.CreateTempSubdirectory("pytorch-example-").FullName;
        // Debian's python3 is the one with torch; a pyenv shim may come first on PATH.
        _path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", "/usr/bin:" + _path);
    }

    [TearDown]
    public void Restore()
    {
        Environment.SetEnvironmentVariable("PATH", _path);
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void The_pytorch_example_sweeps_the_study_convnet_to_a_plausible_best()
    {
        var data = Path.Combine(_dir, "data");
        var generated = CliRunner.Run("data", "generate", "--out", data, "--train", "1200", "--test", "400");
        Assert.That(generated.ExitCode, Is.Zero, generated.Stderr);
        var result = CliRunner.Run("run", Path.Combine(RepoPaths.Root, "examples", "pytorch", "experiment.yml"), "--data", data, "--trials", "3", "--epochs", "3",
            "--workers", "2", "--out", Path.Combine(_dir, "runs"), "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var sweep = JsonDocument.Parse(result.Stdout).RootElement;
        var completed = sweep.GetProperty("trials").EnumerateArray().Where(t => t.GetProperty("status").GetString() == "completed").ToList();
        Assert.That(completed, Is.Not.Empty, result.Stdout);
        Assert.That(completed.Select(t => t.GetProperty("curve").GetArrayLength()), Has.All.EqualTo(3), "one report per epoch");
        var best = sweep.GetProperty("best");
        Assert.That(best.GetProperty("metrics").GetProperty("test_f1").GetDouble(), Is.GreaterThan(0.6), "muon counts separate the classes");
        Assert.That(File.Exists(Path.Combine(completed.First(t => t.GetProperty("index").GetInt32() == best.GetProperty("index").GetInt32())
            .GetProperty("artifacts").GetString()!, "model.pt")), "the script's weights are kept with its trial");
    }
}
