using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A real one-machine SLURM (Debian's slurm-wlm and munge, which <c>make test-deps</c> installs): munged, slurmctld and slurmd
/// with a minimal config in a scratch folder, found by every SLURM command through <c>SLURM_CONF</c>. On disposal every job is
/// cancelled and the daemons it started are stopped.
/// </summary>
internal sealed partial class SlurmCluster : IDisposable
{
    private const string ScratchPrefix = "sweep-slurm-";
    private readonly string _scratch = Directory.CreateTempSubdirectory(ScratchPrefix).FullName;
    private readonly bool _startedMunge;

    public SlurmCluster()
    {
        if (!File.Exists("/usr/sbin/slurmctld") || !File.Exists("/usr/sbin/munged"))
            Assert.Fail("SLURM is not installed: make test-deps installs slurm-wlm and munge");
        StopDaemons(); // left by a test run that was killed: they hold SLURM's ports
        var host = Environment.MachineName;
        Directory.CreateDirectory(Path.Combine(_scratch, "state"));
        Directory.CreateDirectory(Path.Combine(_scratch, "spool"));
        File.WriteAllText(Conf, $"""
            ClusterName=sweeptest
            SlurmctldHost={host}
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            StateSaveLocation={_scratch}/state
            SlurmdSpoolDir={_scratch}/spool
            SlurmctldPidFile={_scratch}/slurmctld.pid
            SlurmdPidFile={_scratch}/slurmd.pid
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SchedulerType=sched/backfill
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            ReturnToService=2
            MpiDefault=none
            JobCompType=jobcomp/none
            AccountingStorageType=accounting_storage/none
            SlurmctldLogFile={_scratch}/slurmctld.log
            SlurmdLogFile={_scratch}/slurmd.log
            NodeName={host} CPUs={Environment.ProcessorCount} State=UNKNOWN
            PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP

            """);
        if (!Run("munge", "-n").Ok) // no munged answering (a dead one's pid may linger)
        {
            Directory.CreateDirectory("/run/munge");
            Run("chown", "munge:munge", "/run/munge").Check();
            Run("runuser", "-u", "munge", "--", "/usr/sbin/munged").Check();
            _startedMunge = true;
        }
        Run("/usr/sbin/slurmctld", "-f", Conf).Check();
        Run("/usr/sbin/slurmd", "-f", Conf).Check();
        NodeProcesses.WaitUntil(() => Run("sinfo", "-h", "-o", "%T").Output.Trim() == "idle", TimeSpan.FromSeconds(60), "the SLURM node to be idle");
    }

    private string Conf => Path.Combine(_scratch, "slurm.conf");

    public sealed record Result(bool Ok, string Output)
    {
        public Result Check() => Ok ? this : throw new AssertionException(Output);
    }

    /// <summary>A SLURM command (or any other) with this cluster's <c>SLURM_CONF</c>, which jobs inherit.</summary>
    public Result Run(string program, params string[] arguments) => Run(new Dictionary<string, string>(), program, arguments);

    public Result Run(IReadOnlyDictionary<string, string> environment, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["SLURM_CONF"] = Conf;
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new Result(process.ExitCode == 0, output + error.Result);
    }

    /// <summary>Submits a batch script; returns the job's id.</summary>
    public string Submit(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var submitted = Run(environment, "sbatch", arguments).Check().Output;
        return SubmittedLine().Match(submitted) is { Success: true } m ? m.Groups[1].Value : throw new AssertionException($"sbatch said: {submitted}");
    }

    public bool IsQueued(string job) => Run("squeue", "-h", "-j", job, "-o", "%i").Output.Trim() == job;

    /// <summary>The job's state as the controller keeps it after the end (COMPLETED, CANCELLED, ...).</summary>
    public string State(string job) => JobState().Match(Run("scontrol", "show", "job", job).Output).Groups[1].Value;

    public void WaitUntilEnded(string job, TimeSpan timeout) => NodeProcesses.WaitUntil(() => !IsQueued(job), timeout, $"SLURM job {job} to end");

    public void Dispose()
    {
        Run("scancel", "--user", Environment.UserName);
        StopDaemons();
        if (_startedMunge) Run("pkill", "-x", "munged");
        Directory.Delete(_scratch, recursive: true);
    }

    /// <summary>This fixture's daemons, and those of earlier runs (their config is in a scratch folder of the same prefix).</summary>
    private void StopDaemons()
    {
        foreach (var daemon in (string[])["slurmd", "slurmctld"])
        {
            Run("pkill", "-f", $"{daemon} -f {Path.GetTempPath()}{ScratchPrefix}");
            NodeProcesses.WaitUntil(() => !Run("pgrep", "-f", $"{daemon} -f {Path.GetTempPath()}{ScratchPrefix}").Ok, TimeSpan.FromSeconds(30), $"{daemon} to stop");
        }
    }

    [GeneratedRegex(@"Submitted batch job (\d+)")]
    private static partial Regex SubmittedLine();

    [GeneratedRegex(@"JobState=(\w+)")]
    private static partial Regex JobState();
}
