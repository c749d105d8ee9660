using System.CommandLine;
using System.Diagnostics;
using SweepCluster.Cli.Kernels;
using SweepCluster.Core.Files;
using SweepCluster.Node.Hosting;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// <c>sweepctl slurm node</c>: a cluster node started by <c>srun</c> in an allocation (<c>infra/slurm/sweep.sbatch</c>). SLURM's
/// variables say which host and rank it is, what it was granted and when the job ends; the node leaves before then.
/// </summary>
internal static class SlurmCommand
{
    public const int DefaultLeaveBeforeSeconds = 120;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var shared = new Option<string>("--shared") { Description = "A folder every host of the allocation shares: the store (journal, runs, checkpoints) and the endpoint file", Required = true };
        var config = new Option<string?>("--config") { Description = "A node config file (cluster-config/*.yml) for what SLURM does not say" };
        var port = new Option<int?>("--port") { Description = "Cluster port of each host's first task; further tasks on a host take the next ones (default 4053)" };
        var cmdPort = new Option<int?>("--cmd-port") { Description = $"Command port of task 0, or each host's first task (default {NodeHost.DefaultCmdPort})" };
        var leaveBefore = new Option<double?>("--leave-before") { Description = $"Seconds before the job's end at which the nodes give their trials back and leave (default {DefaultLeaveBeforeSeconds})" };
        var data = new Option<string?>("--data") { Description = "Shower files for the networks (default: the synthetic set)" };
        var journal = new Option<string?>("--journal") { Description = "A PostgreSQL connection string for the coordinator's journal, instead of SHARED/journal.db" };
        var cpuSlots = new Option<double?>("--cpu-slots") { Description = "CPU slots each worker offers (default: SLURM_CPUS_PER_TASK, else the host's cores)" };
        var gpuTrialsOnCpu = new Option<bool>("--gpu-trials-on-cpu") { Description = "Run trials that ask for a GPU on CPU slots (an allocation without GPUs)" };
        var node = new Command("node", "Start this SLURM task's cluster node (srun runs one per task): task 0 coordinates, all work; they leave before the job's end")
        {
            shared, config, port, cmdPort, leaveBefore, data, journal, cpuSlots, gpuTrialsOnCpu,
        };
        node.SetAction(async (parsed, cancellation) => await NodeCommand.RunNode(error, async () =>
        {
            var folder = Path.GetFullPath(parsed.GetValue(shared)!);
            var allocation = SlurmAllocation.FromEnvironment(Environment.GetEnvironmentVariable);
            Directory.CreateDirectory(folder);
            var before = TimeSpan.FromSeconds(parsed.GetValue(leaveBefore) ?? DefaultLeaveBeforeSeconds);
            var end = JobEnd(allocation.JobId, error);
            var file = parsed.GetValue(config) is { } path ? NodeSettings.Read(path) : new NodeSettings();
            var settings = file.OverriddenBy(NodeSettings.FromEnvironment())
                .OverriddenBy(allocation.Settings(folder, parsed.GetValue(port) ?? 4053, parsed.GetValue(cmdPort) ?? NodeHost.DefaultCmdPort,
                    SlurmAllocation.Token(folder), end - before))
                .OverriddenBy(NodeSettings.FromSwitches(Switches.Given(parsed, [data, journal, cpuSlots, gpuTrialsOnCpu])));
            if (NodeHost.RunsTrials(settings)) OneDnnChoice.Apply(error);
            var endpointFile = Path.Combine(folder, SlurmAllocation.EndpointFileName);
            try
            {
                await NodeHost.RunAsync(settings, output, cancellation, commands =>
                {
                    if (!allocation.IsFirst) return;
                    AtomicFile.WriteAllText(endpointFile, $"{allocation.Host}:{commands.Port}\n"); // a client never reads half of it
                });
            }
            finally
            {
                if (allocation.IsFirst) File.Delete(endpointFile);
            }
        }));
        return new Command("slurm", "Run nodes in a SLURM allocation (infra/slurm/sweep.sbatch); reach one from the login node as sweepctl slurm:SHARED ...") { node };
    }

    /// <summary>When the job ends, as squeue says; null (the nodes never leave by themselves) for a job without a time limit or when squeue cannot say.</summary>
    private static DateTimeOffset? JobEnd(string jobId, TextWriter error)
    {
        try
        {
            using var squeue = Process.Start(new ProcessStartInfo("squeue", ["-h", "-j", jobId, "-o", "%e"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = squeue.StandardOutput.ReadToEnd();
            squeue.WaitForExit();
            if (SlurmAllocation.ParseEndTime(text) is { } end) return end;
            error.WriteLine($"sweepctl: squeue gives job {jobId} no end time ('{text.Trim()}'): the nodes leave only when stopped");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            error.WriteLine($"sweepctl: cannot run squeue ({e.Message}): the nodes leave only when stopped");
        }
        return null;
    }
}
