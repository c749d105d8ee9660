using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// The README's three-node local example, run as written: its four command lines, read from the README, in a folder
/// laid out like the repository (bin/sweepctl, cluster-config/, experiments/), with the study's convnet experiment.
/// </summary>
[NonParallelizable]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Category(TestKinds.Process)]
public class ReadmeExampleTests
{
    private readonly List<Process> _processes = [];
    private string _work = "";

    [SetUp]
    public void LayOutTheRepository()
    {
        _work = Directory.CreateTempSubdirectory("readme-example-").FullName;
        Directory.CreateDirectory(Path.Combine(_work, "bin"));
        var sweepctl = Path.Combine(_work, "bin", "sweepctl");
        File.WriteAllText(sweepctl, $"#!/bin/sh\nexec dotnet {Path.Combine(TestContext.CurrentContext.TestDirectory, "sweepctl.dll")} \"$@\"\n");
        File.SetUnixFileMode(sweepctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var folder in new[] { "cluster-config", "experiments" }) TestFolders.Copy(Path.Combine(RepoPaths.Root, folder), Path.Combine(_work, folder));
    }

    [TearDown]
    public void StopNodes()
    {
        foreach (var process in _processes.Where(p => !p.HasExited)) process.Kill(entireProcessTree: true);
        foreach (var process in _processes) process.WaitForExit(10_000);
        Directory.Delete(_work, recursive: true);
    }

    /// <summary>The lines of the README's code block that follows the sentence introducing the local example.</summary>
    private static List<string> ExampleCommands()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var block = Regex.Match(readme, @"three-node local example[^`]*```sh\n(.*?)```", RegexOptions.Singleline);
        Assert.That(block.Success, "the README shows the three-node local example in a sh block");
        return [.. block.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>A command line as a shell in the repository runs it.</summary>
    private Process Shell(string commandLine)
    {
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = _work, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec " + commandLine);
        var process = Process.Start(start)!;
        _processes.Add(process);
        return process;
    }

    [Test]
    public void The_local_example_runs_the_studys_convnet_sweep_to_the_end_on_two_cpu_workers()
    {
        var commands = ExampleCommands();
        Assert.That(commands, Has.Count.EqualTo(4));
        foreach (var node in commands.Take(3))
        {
            var process = Shell(node);
            var log = process.StandardError.ReadToEndAsync();
            var started = process.StandardOutput.ReadLineAsync();
            Assert.That(started.Wait(TimeSpan.FromSeconds(90)) && started.Result is { } line && line.Contains(" started; commands on ", StringComparison.Ordinal),
                $"'{node}' did not start:\n{(process.HasExited ? log.Result : "")}");
            _ = process.StandardOutput.ReadToEndAsync(); // drained, so that the node never blocks on a full pipe
        }
        const string coordinator = "127.0.0.1:9110";
        NodeProcesses.WaitUntil(() => ClusterCommands.TryJson(coordinator, "node", "show")?.GetProperty("workers").GetArrayLength() == 2,
            TimeSpan.FromSeconds(60), "both workers to offer their slots");

        var submit = Shell(commands[3]);
        var id = submit.StandardOutput.ReadToEnd().Trim();
        submit.WaitForExit();
        Assert.That(submit.ExitCode, Is.Zero, submit.StandardError.ReadToEnd());
        Assert.That(id, Does.Match("^[0-9a-f]{8}$"), "sweep submit prints the sweep's id");

        NodeProcesses.WaitUntil(() => ClusterCommands.TryJson(coordinator, "sweep", "status", "-i", id)?.GetProperty("state").GetString() == "completed",
            TimeSpan.FromMinutes(25), "the convnet sweep to complete");
        var trials = ClusterCommands.Json(coordinator, "sweep", "trials", "-i", id).GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials.Select(t => t.GetProperty("index").GetInt32()), Is.EquivalentTo(new[] { 0, 1, 2, 3 }));
        Assert.That(trials.Select(t => t.GetProperty("status").GetString()), Is.All.EqualTo("completed"), "a median pruner needs five other trials: none is pruned");
        Assert.That(trials.Select(t => t.GetProperty("device").GetString()), Is.All.EqualTo("cpu"), "gpu: 1.0 trials run on the workers' cpu slots");
        Assert.That(trials.Select(t => t.GetProperty("node").GetString()).Distinct().Count(), Is.EqualTo(2), "both workers ran trials");
        var best = ClusterCommands.Json(coordinator, "sweep", "best", "-i", id);
        Assert.That(best.GetProperty("metrics").GetProperty("test_f1").GetDouble(), Is.GreaterThan(0.5), "the networks learn to tell iron from proton");
    }
}
