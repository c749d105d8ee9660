using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using static SweepCluster.Cli.Tests.ClusterChecks;
using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>A coordinator whose journal cannot be written at run time: its disk fills up, then is freed.</summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public partial class JournalFaultTests
{
    [Test]
    public void A_journal_whose_disk_fills_stops_the_coordinator_with_one_line_waiting_longer_each_time_and_it_goes_on_once_freed()
    {
        using var nodes = new NodeProcesses();
        var store = Directory.CreateDirectory(Path.Combine(nodes.Root, "small-disk")).FullName;
        Mount($"-t tmpfs -o size=700k tmpfs {store}"); // a disk of its own, small enough to fill within the sweep
        NodeProcesses.Node? node = null;
        try
        {
            node = nodes.Start("coordinator,worker", extra: "--cpu-slots 2", store: store);
            var id = Submit(node.Address, SleepExperiment(nodes.Root, 400, 0.01, seed: 3, steps: 1));
            NodeProcesses.WaitUntil(() => Failures(nodes.Log(node.Process)).Count >= 4, TimeSpan.FromSeconds(120), "the journal's disk to fill, four times over");

            var log = nodes.Log(node.Process);
            Assert.That(log, Does.Match(@"the journal cannot be written \(\w+: SQLite Error 13: 'database or disk is full'\.\): the coordinator stops and recovers from it again "
                + @"after a growing wait \(up to 30 s\); free the journal's disk or bring its database back"));
            var failures = Failures(log);
            var waits = failures.Zip(failures.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
            Assert.That(waits[^1], Is.GreaterThan(2 * waits[0]), $"each recovery waits longer than the one before ({string.Join(", ", waits.Select(w => w.ToString("0.0", CultureInfo.InvariantCulture)))} s)");
            Assert.That(CliRunner.Run(node.Address, "cluster", "show").ExitCode, Is.Zero, "the node keeps serving");

            Mount($"-o remount,size=64m {store}");
            WaitForCompletion(node, id);
            Assert.That(Json(node.Address, "sweep", "status", "-i", id).GetProperty("summary").GetProperty("completed").GetInt32(), Is.GreaterThan(300),
                "once the disk has room, the coordinator recovers and the sweep goes on to its end");
        }
        finally
        {
            if (node is not null) NodeProcesses.Kill(node);
            Mount($"-l {store}", command: "umount");
        }
    }

    /// <summary>When the coordinator said it could not write its journal, from the node's log.</summary>
    private static List<DateTime> Failures(string log) => [.. FailureLine().Matches(log)
        .Select(m => DateTime.ParseExact(m.Groups[1].Value, "MM/dd/yyyy HH:mm:ss.fff", CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"\[ERROR\]\[(\d\d/\d\d/\d{4} [\d:.]+)Z\][^\n]*the journal cannot be written")]
    private static partial Regex FailureLine();

    private static void Mount(string arguments, string command = "mount")
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{command} {arguments}: {error}");
    }
}
