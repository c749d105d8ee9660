using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// examples/pytorch: the study's convnet as a PyTorch script of the user's (Debian's python3-torch, h5py and pandas, which
/// make test installs), submitted to a node process with its folder and swept on a synthetic shower set to a plausible best.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
[Category(Peers.Category)]
public class PyTorchExampleTests
{
    [Test]
    public void The_pytorch_example_sweeps_the_study_convnet_to_a_plausible_best_on_a_node()
    {
        using var nodes = new NodeProcesses();
        var data = Path.Combine(nodes.Root, "data");
        var generated = CliRunner.Run("data", "generate", "--out", data, "--train", "1200", "--test", "400");
        Assert.That(generated.ExitCode, Is.Zero, generated.Stderr);
        // Debian's python3 is the one with torch; a pyenv shim may come first on PATH. The study's file asks for a GPU: this node has none.
        var path = new Dictionary<string, string> { ["PATH"] = "/usr/bin:" + Environment.GetEnvironmentVariable("PATH") };
        var node = nodes.Start("coordinator,worker", extra: $"--cpu-slots 2 --gpu-trials-on-cpu --data {data}", environment: path);
        var submitted = CliRunner.Run(node.Address, "sweep", "submit", "-f", Path.Combine(RepoPaths.Root, "examples", "pytorch", "experiment.yml"),
            "--trials", "3", "--epochs", "3");
        Assert.That(submitted.ExitCode, Is.Zero, submitted.Stderr);
        var id = submitted.Stdout.Trim();
        NodeProcesses.WaitUntil(() => Json(node.Address, "sweep", "status", "-i", id).GetProperty("state").GetString() == "completed", TimeSpan.FromMinutes(8),
            "the sweep to end");
        var trials = Json(node.Address, "sweep", "trials", "-i", id, "--curves", "yes").GetProperty("trials").EnumerateArray().ToList();
        var completed = trials.Where(t => t.GetProperty("status").GetString() == "completed").ToList();
        Assert.That(completed, Is.Not.Empty, nodes.AllLogs());
        Assert.That(completed.Select(t => t.GetProperty("curve").GetArrayLength()), Has.All.EqualTo(3), "one report per epoch");
        var best = Json(node.Address, "sweep", "best", "-i", id);
        Assert.That(best.GetProperty("metrics").GetProperty("test_f1").GetDouble(), Is.GreaterThan(0.6), "muon counts separate the classes");
        var files = Json(node.Address, "sweep", "artifacts", "-i", id, "-t", best.GetProperty("index").GetInt32().ToString()).GetProperty("files");
        Assert.That(files.EnumerateArray().Select(f => f.GetProperty("path").GetString()), Does.Contain("model.pt").And.Contain("stdout.log"),
            "the script's weights and output are kept with its trial");
    }
}
