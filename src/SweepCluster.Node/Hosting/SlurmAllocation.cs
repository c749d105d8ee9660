using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace SweepCluster.Node.Hosting;

/// <summary>
/// One task of a SLURM allocation, as <c>srun</c> starts it: which host it is on, its rank, what SLURM granted it. Task 0
/// (on the allocation's first host) is coordinator and worker, every other task a worker that joins it. Every node keeps its
/// store in the allocation's shared folder: the coordinator's journal there is what the next allocation resumes from.
/// </summary>
/// <param name="Hosts">The allocation's hosts, in order (<c>SLURM_JOB_NODELIST</c> expanded).</param>
/// <param name="Host">The host this task runs on (<c>SLURMD_NODENAME</c>).</param>
/// <param name="Rank">The task's rank in the job step (<c>SLURM_PROCID</c>).</param>
/// <param name="LocalRank">The task's rank on its host (<c>SLURM_LOCALID</c>): tasks on one host take successive ports.</param>
/// <param name="Gpus">The GPUs SLURM granted the task, as the process sees them (CUDA numbers them from 0); empty when none.</param>
/// <param name="CpusPerTask"><c>SLURM_CPUS_PER_TASK</c>, when the job asked for it.</param>
public sealed partial record SlurmAllocation(string JobId, ImmutableArray<string> Hosts, string Host, int Rank, int LocalRank, ImmutableArray<int> Gpus, double? CpusPerTask)
{
    public const string EndpointFileName = "endpoint";
    public const string TokenFileName = "token";

    public bool IsFirst => Rank == 0;

    /// <summary>Reads the task's SLURM variables; a <see cref="FormatException"/> names the one that is missing or wrong.</summary>
    public static SlurmAllocation FromEnvironment(Func<string, string?> variable)
    {
        string Required(string name) => variable(name) is { Length: > 0 } value
            ? value
            : throw new FormatException($"{name} is not set: run this in a SLURM job step (srun inside an sbatch script)");
        int Number(string name) => int.TryParse(Required(name), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"{name} is '{variable(name)}', not a whole number");
        var hosts = ExpandHostList(Required("SLURM_JOB_NODELIST"));
        // SLURM sets CUDA_VISIBLE_DEVICES to the GPUs it granted; the process sees them renumbered from 0.
        var visible = (variable("CUDA_VISIBLE_DEVICES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        double? cpus = double.TryParse(variable("SLURM_CPUS_PER_TASK"), NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && c > 0 ? c : null;
        return new SlurmAllocation(Required("SLURM_JOB_ID"), hosts, Required("SLURMD_NODENAME"), Number("SLURM_PROCID"), Number("SLURM_LOCALID"),
            [.. Enumerable.Range(0, visible.Length)], cpus);
    }

    /// <summary>SLURM's compressed host list (<c>gpu[01-03,07],login5</c>) as host names, in order.</summary>
    public static ImmutableArray<string> ExpandHostList(string list)
    {
        var hosts = ImmutableArray.CreateBuilder<string>();
        foreach (Match part in HostListPart().Matches(list))
        {
            var prefix = part.Groups["prefix"].Value;
            if (!part.Groups["ranges"].Success)
            {
                hosts.Add(prefix);
                continue;
            }
            foreach (var range in part.Groups["ranges"].Value.Split(','))
            {
                var bounds = range.Split('-');
                if (bounds.Length > 2 || !int.TryParse(bounds[0], out var first) || !int.TryParse(bounds[^1], out var last) || last < first)
                    throw new FormatException($"SLURM_JOB_NODELIST '{list}': '{range}' is not a number or a range like 01-04");
                for (var n = first; n <= last; n++) hosts.Add(prefix + n.ToString(CultureInfo.InvariantCulture).PadLeft(bounds[0].Length, '0'));
            }
        }
        if (hosts.Count == 0 || string.Join(",", HostListPart().Matches(list).Select(m => m.Value)) != list)
            throw new FormatException($"SLURM_JOB_NODELIST '{list}' is not a SLURM host list (like node[01-04],gpu7)");
        return hosts.ToImmutable();
    }

    /// <summary>
    /// This task's node: task 0 founds the cluster on the first host and serves commands on every interface (with the
    /// allocation's token); the others join it. Ports go up by the task's rank on its host, so tasks sharing a host do not clash.
    /// </summary>
    public NodeSettings Settings(string shared, int port, int cmdPort, string token, DateTimeOffset? leaveAt)
    {
        if (IsFirst && Host != Hosts[0])
            throw new FormatException($"task 0 runs on {Host}, not on the allocation's first host {Hosts[0]}: start the nodes with srun's default (block) distribution");
        return new NodeSettings(
            Roles: IsFirst ? "coordinator,worker" : "worker",
            Host: Host,
            Port: port + LocalRank,
            SeedNodes: IsFirst ? null : $"{Hosts[0]}:{port}",
            CmdHost: IsFirst ? "0.0.0.0" : "127.0.0.1",
            CmdPort: cmdPort + LocalRank,
            CmdToken: IsFirst ? token : null,
            Gpus: Gpus.IsEmpty ? "none" : string.Join(",", Gpus),
            CpuSlots: CpusPerTask,
            Store: shared,
            LeaveAt: leaveAt);
    }

    /// <summary>The allocation's token for the command endpoint, made on first use (readable by its owner only).</summary>
    public static string Token(string shared)
    {
        var file = Path.Combine(shared, TokenFileName);
        if (!File.Exists(file))
        {
            // Written whole under a name of its own (unique per call: two callers in one process must not share it), then
            // published with link(2), which fails when the name exists: no task reads half a token, and the first one wins.
            // File.Move(overwrite: false) is no substitute: on Linux it checks for the target and then renames over it.
            var mine = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var writer = new StreamWriter(new FileStream(mine, options)))
                writer.Write(Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant());
            try
            {
                if (link(mine, file) != 0 && Marshal.GetLastPInvokeError() is var error && error != EEXIST)
                    throw new IOException($"{file}: could not be created ({Marshal.GetPInvokeErrorMessage(error)}); the shared folder must be writable by this user");
            }
            finally
            {
                File.Delete(mine);
            }
        }
        return File.ReadAllText(file).Trim();
    }

    private const int EEXIST = 17;

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int link(string existing, string created);

    /// <summary>
    /// When the job ends, as <c>squeue</c> reports it (the controller's local time), or null for a job without a time limit
    /// or when squeue cannot say.
    /// </summary>
    public static DateTimeOffset? ParseEndTime(string squeueOutput) =>
        DateTime.TryParseExact(squeueOutput.Trim(), "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var end)
            ? new DateTimeOffset(end)
            : null;

    [GeneratedRegex(@"(?<prefix>[^,\[\]\s]+)(\[(?<ranges>[0-9,\-]+)\])?")]
    private static partial Regex HostListPart();
}
