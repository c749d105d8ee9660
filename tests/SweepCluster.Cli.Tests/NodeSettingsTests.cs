using SweepCluster.Node.Hosting;

namespace SweepCluster.Cli.Tests;

/// <summary>A node's settings come from its config file, then SWEEP_* environment variables, then switches; a bad value is named where it was written.</summary>
public class NodeSettingsTests
{
    private string _folder = null!;

    [SetUp]
    public void MakeFolder() => _folder = Directory.CreateTempSubdirectory("node-settings-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    private string Config(string yaml)
    {
        var file = Path.Combine(_folder, "node.yml");
        File.WriteAllText(file, yaml);
        return file;
    }

    [Test]
    public void The_environment_overrides_the_file_and_switches_override_both()
    {
        var file = NodeSettings.Read(Config("cpu_slots: 2\nport: 5000\nseed_nodes: [a:1, b:2]\nheartbeat_pause: 4\n"));
        Environment.SetEnvironmentVariable("SWEEP_CPU_SLOTS", "3");
        Environment.SetEnvironmentVariable("SWEEP_GPU_TRIALS_ON_CPU", "true");
        try
        {
            var settings = file.OverriddenBy(NodeSettings.FromEnvironment()).OverriddenBy(NodeSettings.FromSwitches([("--port", "5001")]));
            Assert.That(settings, Is.EqualTo(new NodeSettings(Port: 5001, SeedNodes: "a:1,b:2", CpuSlots: 3, HeartbeatPause: 4, GpuTrialsOnCpu: true)));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SWEEP_CPU_SLOTS", null);
            Environment.SetEnvironmentVariable("SWEEP_GPU_TRIALS_ON_CPU", null);
        }
    }

    [Test]
    public void A_bad_value_is_named_in_the_file_the_environment_or_the_switch_that_gave_it()
    {
        var file = Config("roles: worker\ncpu_slots: lots\n");
        Assert.That(() => NodeSettings.Read(file), Throws.TypeOf<FormatException>().With.Message.EqualTo($"cpu_slots at {file}:2:12: needs a number > 0 (got 'lots')"));
        Assert.That(() => NodeSettings.Read(Config("cpu_slot: 2\n")), Throws.TypeOf<FormatException>().With.Message.Contains("unknown key; did you mean 'cpu_slots'?"));
        Assert.That(() => NodeSettings.FromSwitches([("--down-after", "0")]), Throws.TypeOf<FormatException>().With.Message.EqualTo("--down-after: needs a number of seconds > 0 (got '0')"));
        var refused = CliRunner.RunProcess(new Dictionary<string, string> { ["SWEEP_MANAGEMENT_PORT"] = "eighty" }, TimeSpan.FromSeconds(60), null, "node", "start", "--cmd-port", "0");
        Assert.That((refused.ExitCode, refused.Stderr.Trim()), Is.EqualTo((ExitCodes.InvalidInput, "sweepctl: SWEEP_MANAGEMENT_PORT: needs a whole number (got 'eighty')")));
    }

    [Test]
    public void Every_setting_has_its_key_and_its_switch()
    {
        var start = SweepCtl.LocalCommands(TextWriter.Null, TextWriter.Null).Subcommands.Single(c => c.Name == "node").Subcommands.Single(c => c.Name == "start");
        var switches = start.Options.Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal) && n != "--config" && n != "--help").Select(n => n[2..].Replace('-', '_'));
        Assert.That(switches, Is.EquivalentTo(NodeSettings.Keys.Where(k => k != "cmd_token")), "the token is kept out of the command line, where ps would show it");
    }
}
