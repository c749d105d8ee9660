using SweepCluster.Node.Hosting;

namespace SweepCluster.Cli.Tests;

public class SlurmAllocationTests
{
    private static Func<string, string?> Environment(Dictionary<string, string> variables) => name => variables.GetValueOrDefault(name);

    private static Dictionary<string, string> Task(int rank, int localRank, string host) => new()
    {
        ["SLURM_JOB_ID"] = "77",
        ["SLURM_JOB_NODELIST"] = "gpu[01-02],login5",
        ["SLURMD_NODENAME"] = host,
        ["SLURM_PROCID"] = $"{rank}",
        ["SLURM_LOCALID"] = $"{localRank}",
    };

    [TestCase("vm", new[] { "vm" })]
    [TestCase("gpu[01-03,07],login5", new[] { "gpu01", "gpu02", "gpu03", "gpu07", "login5" })]
    [TestCase("a[8-10],b", new[] { "a8", "a9", "a10", "b" })]
    public void Host_lists_expand_as_slurm_writes_them(string list, string[] hosts) =>
        Assert.That(SlurmAllocation.ExpandHostList(list), Is.EqualTo(hosts));

    [TestCase("gpu[03-01]")]
    [TestCase("gpu[a-b]")]
    [TestCase("")]
    public void A_malformed_host_list_is_refused_with_the_variable_named(string list) =>
        Assert.That(() => SlurmAllocation.ExpandHostList(list), Throws.TypeOf<FormatException>().With.Message.Contains("SLURM_JOB_NODELIST"));

    [Test]
    public void Task_0_founds_the_cluster_and_serves_commands_and_the_others_join_it()
    {
        var leave = DateTimeOffset.UnixEpoch;
        var first = SlurmAllocation.FromEnvironment(Environment(Task(0, 0, "gpu01"))).Settings("/shared", 4053, 9110, "t0ken", leave);
        Assert.That((first.Roles, first.Host, first.Port, first.SeedNodes, first.CmdHost, first.CmdPort, first.CmdToken, first.Store, first.LeaveAt),
            Is.EqualTo(("coordinator,worker", "gpu01", 4053, (string?)null, "0.0.0.0", 9110, "t0ken", "/shared", (DateTimeOffset?)leave)));
        var second = SlurmAllocation.FromEnvironment(Environment(Task(3, 1, "gpu02"))).Settings("/shared", 4053, 9110, "t0ken", leave);
        Assert.That((second.Roles, second.Host, second.Port, second.SeedNodes, second.CmdHost, second.CmdPort, second.CmdToken),
            Is.EqualTo(("worker", "gpu02", 4054, "gpu01:4053", "127.0.0.1", 9111, (string?)null)), "the second task on its host takes the next ports");
    }

    [Test]
    public void A_task_offers_the_gpus_slurm_granted_it_numbered_as_cuda_sees_them_and_none_without()
    {
        var granted = Task(0, 0, "gpu01");
        granted["CUDA_VISIBLE_DEVICES"] = "2,3";
        granted["SLURM_CPUS_PER_TASK"] = "8";
        var settings = SlurmAllocation.FromEnvironment(Environment(granted)).Settings("/s", 4053, 9110, "t", null);
        Assert.That((settings.Gpus, settings.CpuSlots), Is.EqualTo(("0,1", (double?)8)));
        Assert.That(SlurmAllocation.FromEnvironment(Environment(Task(0, 0, "gpu01"))).Settings("/s", 4053, 9110, "t", null).Gpus, Is.EqualTo("none"),
            "a task granted no GPU never takes one it was not given");
    }

    [Test]
    public void Outside_a_job_step_the_missing_variable_is_named()
    {
        var variables = Task(0, 0, "gpu01");
        variables.Remove("SLURM_PROCID");
        Assert.That(() => SlurmAllocation.FromEnvironment(Environment(variables)),
            Throws.TypeOf<FormatException>().With.Message.EqualTo("SLURM_PROCID is not set: run this in a SLURM job step (srun inside an sbatch script)"));
    }

    [Test]
    public void The_end_time_is_read_as_squeue_prints_it()
    {
        Assert.That(SlurmAllocation.ParseEndTime("2026-11-28T11:26:53\n"), Is.EqualTo(new DateTimeOffset(new DateTime(2026, 11, 28, 11, 26, 53, DateTimeKind.Local))));
        Assert.That(SlurmAllocation.ParseEndTime("NONE"), Is.Null);
    }

    [Test]
    [Repeat(200)] // the race this guards against showed about once in a few hundred runs
    public void Every_task_reads_the_same_token_made_once_for_the_owner_only()
    {
        var shared = Directory.CreateTempSubdirectory("slurm-token-").FullName;
        try
        {
            var tokens = Enumerable.Range(0, 64).AsParallel().WithDegreeOfParallelism(8).Select(_ => SlurmAllocation.Token(shared)).ToList();
            Assert.That(tokens.Distinct().Count(), Is.EqualTo(1));
            Assert.That(tokens[0], Has.Length.EqualTo(48));
            Assert.That(Directory.GetFiles(shared).Select(Path.GetFileName), Is.EqualTo(new[] { "token" }));
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }

    [Test]
    public void A_slurm_folder_without_a_running_node_says_what_to_check()
    {
        var result = CliRunner.Run("slurm:/nonexistent/shared", "sweep", "list");
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Unreachable));
        Assert.That(result.Stderr, Does.Contain("slurm:/nonexistent/shared: no node serves commands for this folder (/nonexistent/shared/endpoint is missing)"));
    }
}
