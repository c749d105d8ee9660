using System.Diagnostics;
using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// examples/dotnet: a .NET trainer in a project of its own, built against SweepCluster.Sdk, checked by validate and run by a
/// node from its own assembly (sent with the sweep, loaded into a context of its own).
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class DotnetTrainerTests
{
    private string _dir = "";

    [OneTimeSetUp]
    public void BuildTheExample()
    {
        _dir = Directory.CreateTempSubdirectory("dotnet-trainer-").FullName;
        var build = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["build", Path.Combine(RepoPaths.Root, "examples", "dotnet", "LogisticTrainer.csproj"), "-c", "Release", "-o", Path.Combine(_dir, "bin"), "--nologo"])
            build.ArgumentList.Add(arg);
        using var process = Process.Start(build)!;
        var output = process.StandardOutput.ReadToEndAsync();
        process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(3)), "dotnet build finished");
        Assert.That(process.ExitCode, Is.Zero, output.Result);
        File.Copy(Path.Combine(RepoPaths.Root, "examples", "dotnet", "experiment.yml"), Path.Combine(_dir, "experiment.yml"));
    }

    [OneTimeTearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Validate_loads_the_trainer_and_names_an_assembly_that_does_not_load()
    {
        var valid = CliRunner.Run("validate", Path.Combine(_dir, "experiment.yml"));
        Assert.That(valid.ExitCode, Is.Zero, valid.Stderr);
        File.WriteAllBytes(Path.Combine(_dir, "bin", "Broken.dll"), [1, 2, 3]);
        var broken = Path.Combine(_dir, "broken.yml");
        File.WriteAllText(broken, File.ReadAllText(Path.Combine(_dir, "experiment.yml")).Replace("bin/LogisticTrainer.dll", "bin/Broken.dll"));
        var refused = CliRunner.Run("validate", broken);
        Assert.That(refused.ExitCode, Is.EqualTo(2));
        Assert.That(refused.Stderr, Does.StartWith($"run: {Path.Combine(_dir, "bin", "Broken.dll")} does not load as a .NET assembly").And.Contains($"at {broken}"));
        File.WriteAllText(broken, File.ReadAllText(Path.Combine(_dir, "experiment.yml")).Replace("bin/LogisticTrainer.dll", "bin/LogisticTrainer.dll:Examples.Missing"));
        Assert.That(CliRunner.Run("validate", broken).Stderr, Does.Contain("has no public trainer Examples.Missing").And.Contain("it has Examples.LogisticTrainer"));
    }

    [Test]
    public void A_node_runs_the_trainer_from_its_own_assembly()
    {
        using var nodes = new NodeProcesses();
        var node = nodes.Start("coordinator,worker", extra: "--cpu-slots 2");
        var id = Submit(node.Address, Path.Combine(_dir, "experiment.yml"));
        NodeProcesses.WaitUntil(() => Json(node.Address, "sweep", "status", "-i", id).GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(60),
            "the sweep to end");
        var trials = Json(node.Address, "sweep", "trials", "-i", id).GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials.Select(t => t.GetProperty("status").GetString()), Has.All.AnyOf("completed", "pruned"), nodes.AllLogs());
        var best = Json(node.Address, "sweep", "best", "-i", id);
        Assert.That(best.GetProperty("metrics").GetProperty("val_accuracy").GetDouble(), Is.GreaterThan(0.85), "two clouds a line separates");
        var files = Json(node.Address, "sweep", "artifacts", "-i", id, "-t", best.GetProperty("index").GetInt32().ToString());
        Assert.That(files.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()), Does.Contain("weights.txt"));
        Assert.That(Directory.GetDirectories(Path.Combine(node.Store, "code")), Has.Length.EqualTo(1), "it ran from the package sent with the sweep");
    }
}
