using SweepCluster.Cli.Kernels;

namespace SweepCluster.Cli.Tests;

[Category(TestKinds.Process)]
public class OneDnnChoiceTests
{
    private string _cache = "";

    [SetUp]
    public void MakeCache() => _cache = Directory.CreateTempSubdirectory("onednn-cache-").FullName;

    [TearDown]
    public void RemoveCache() => Directory.Delete(_cache, recursive: true);

    /// <summary>A check that answers from a table and counts what it was asked.</summary>
    private static Func<string, KernelCheck> Answers(List<string> asked, params (string Isa, bool? Exact)[] answers) => isa =>
    {
        asked.Add(isa);
        var exact = answers.Single(a => a.Isa == isa).Exact;
        return new KernelCheck(exact, exact is false ? "the training loss became NaN in epoch 1" : "no child");
    };

    [Test]
    public void The_widest_exact_kernels_are_chosen_and_the_verdict_is_kept_for_the_machine()
    {
        var asked = new List<string>();
        var check = Answers(asked, ("ALL", false), ("AVX2", true));
        var (isa, said) = new OneDnnChoice(_cache, "cpu1", check).Choose();
        Assert.That((isa, said), Is.EqualTo(("AVX2", (string?)$"oneDNN uses kernels up to AVX2: they train exactly on this machine (checked once, kept in {_cache}/onednn-cpu1)")));
        Assert.That(new OneDnnChoice(_cache, "cpu1", check).Choose(), Is.EqualTo(("AVX2", (string?)null)), "kept: not checked or said again");
        Assert.That(asked, Is.EqualTo(new[] { "ALL", "AVX2" }));
        Assert.That(new OneDnnChoice(_cache, "cpu2", check).Choose().Isa, Is.EqualTo("AVX2"));
        Assert.That(asked, Has.Count.EqualTo(4), "another CPU or libtorch is checked on its own");
    }

    [Test]
    public void Without_exact_wide_kernels_the_cap_stays_and_the_user_is_told_why_and_how_to_override()
    {
        var asked = new List<string>();
        var (isa, said) = new OneDnnChoice(_cache, "cpu", Answers(asked, ("ALL", false), ("AVX2", false))).Choose();
        Assert.That(isa, Is.EqualTo("SSE41"));
        Assert.That(said, Does.StartWith("oneDNN is capped at SSE41: its wider kernels do not train exactly on this machine (ALL: the training loss became NaN in epoch 1; AVX2: ")
            .And.EndWith("DNNL_MAX_CPU_ISA overrides"));
        Assert.That(File.ReadAllText(Path.Combine(_cache, "onednn-cpu")).Trim(), Is.EqualTo("SSE41"));
    }

    [Test]
    public void A_check_that_could_not_run_keeps_the_cap_and_is_tried_again_next_time()
    {
        var asked = new List<string>();
        var check = Answers(asked, ("ALL", null));
        Assert.That(new OneDnnChoice(_cache, "cpu", check).Choose(), Is.EqualTo(("SSE41", (string?)"oneDNN stays capped at SSE41: its wider kernels could not be checked (no child)")));
        new OneDnnChoice(_cache, "cpu", check).Choose();
        Assert.That(asked, Is.EqualTo(new[] { "ALL", "ALL" }));
    }

    [Test]
    public void A_kept_verdict_that_is_not_an_instruction_set_is_checked_again()
    {
        File.WriteAllText(Path.Combine(_cache, "onednn-cpu"), "rm -rf /\n");
        var asked = new List<string>();
        Assert.That(new OneDnnChoice(_cache, "cpu", Answers(asked, ("ALL", true))).Choose().Isa, Is.EqualTo("ALL"));
        Assert.That(asked, Is.EqualTo(new[] { "ALL" }));
    }

    [Test]
    public void The_check_by_hand_says_the_cap_trains_exactly()
    {
        var result = CliRunner.RunProcess("onednn", "check", "--isa", "SSE41");
        Assert.That((result.ExitCode, result.Stdout.Trim()),
            Is.EqualTo((0, "oneDNN kernels up to SSE41: exact (a convnet trained twice from one seed gave the same finite losses)")), result.Stderr);
    }

    /// <summary>
    /// The real thing, in processes of their own as users start them: the first training on a machine checks its kernels in a
    /// child and says what it chose (which depends on the machine), the next one reads the verdict, and a user's own setting
    /// is never second-guessed.
    /// </summary>
    [Test]
    public void A_training_process_checks_the_machine_once_and_keeps_a_users_setting()
    {
        var data = Path.Combine(_cache, "data");
        Assert.That(CliRunner.Run("data", "generate", "--out", data, "--train", "64", "--test", "32").ExitCode, Is.Zero);
        string Train(string? userSetting)
        {
            var environment = new Dictionary<string, string> { ["SWEEP_CACHE_DIR"] = _cache };
            if (userSetting is not null) environment["DNNL_MAX_CPU_ISA"] = userSetting;
            var result = CliRunner.RunProcess(environment, TimeSpan.FromMinutes(5), null, "train", CliRunner.Experiment("convnet.yml"),
                "--set", "out_channels=[3,5]", "--set", "bs=16", "--data", data, "--epochs", "1", "--out", Path.Combine(_cache, $"run-{Guid.NewGuid():N}"));
            Assert.That(result.ExitCode, Is.Zero, result.Stderr + result.Stdout);
            Assert.That(result.Stdout, Does.Contain("epoch 1: train loss"));
            return result.Stderr;
        }

        if (Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA") is not null) Assert.Ignore("the suite runs under the user's own DNNL_MAX_CPU_ISA, which every child inherits");
        Assert.That(Train(userSetting: "SSE41"), Does.Not.Contain("oneDNN"));
        var verdicts = _cache;
        Assert.That(Directory.GetFiles(verdicts, "onednn-*"), Is.Empty, "a user's setting is not checked");
        var first = Train(userSetting: null);
        var kept = Directory.GetFiles(verdicts, "onednn-*").Single();
        var isa = File.ReadAllText(kept).Trim();
        Assert.That(isa, Is.AnyOf("ALL", "AVX2", "SSE41"));
        Assert.That(first, Does.Contain(isa == "SSE41" ? "oneDNN is capped at SSE41: its wider kernels do not train exactly on this machine" : $"oneDNN uses kernels up to {isa}")
            .And.Contain($"kept in {kept}"));
        Assert.That(Train(userSetting: null), Does.Not.Contain("oneDNN"), "the verdict kept for the machine is used without a check");
    }
}
