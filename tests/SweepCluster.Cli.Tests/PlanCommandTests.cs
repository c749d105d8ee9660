using System.Text.Json;

namespace SweepCluster.Cli.Tests;

public class PlanCommandTests
{
    [Test]
    public void Json_plan_holds_name_metric_and_each_trials_full_params()
    {
        var result = CliRunner.Run("plan", CliRunner.Experiment("convnet.yml"), "--trials", "8", "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("name").GetString(), Is.EqualTo("Simple CNN"));
        Assert.That(root.GetProperty("metric").GetProperty("name").GetString(), Is.EqualTo("test_f1"));
        Assert.That(root.GetProperty("metric").GetProperty("direction").GetString(), Is.EqualTo("maximize"));
        var trials = root.GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials.Select(t => t.GetProperty("index").GetInt32()), Is.EqualTo(Enumerable.Range(0, 8)));
        foreach (var trial in trials)
        {
            Assert.That(trial.GetProperty("seed").GetInt64(), Is.GreaterThanOrEqualTo(0));
            var p = trial.GetProperty("params");
            Assert.That(p.EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "epochs", "seed", "bs", "lr", "optimizer", "out_channels", "normalize" }));
            Assert.That(p.GetProperty("epochs").GetInt32(), Is.EqualTo(5));
            Assert.That(p.GetProperty("bs").GetInt32(), Is.InRange(32, 256));
            Assert.That(p.GetProperty("lr").GetDouble(), Is.InRange(1e-4, 1e-2));
            Assert.That(p.GetProperty("optimizer").GetString(), Is.AnyOf("adam", "sgd"));
            Assert.That(p.GetProperty("out_channels").EnumerateArray().Select(c => c.GetInt32()), Has.Exactly(2).InRange(2, 20));
        }
        Assert.That(result.Stderr, Is.Empty, "all 8 trials are TPE's random start-up trials");
    }

    [Test]
    public void A_plan_of_a_space_with_branches_lists_when_each_dimension_is_searched_and_each_trials_branch()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("plan-branches-").FullName, "branches.yml");
        File.WriteAllText(path, File.ReadAllText(CliRunner.Experiment("convnet.yml")).Replace("  optimizer: choice(['adam', 'sgd'])\n", """
              optimizer:
                choice:
                  - name: adam
                  - name: sgd
                    momentum: uniform(0.0, 0.99)

            """));
        try
        {
            var result = CliRunner.Run("plan", path, "--trials", "6", "--seed", "3");
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            var lines = result.Stdout.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
            Assert.That(lines, Does.Contain("optimizer choice(['adam', 'sgd']) always"));
            Assert.That(lines, Does.Contain("optimizer.momentum uniform(0, 0.99) when optimizer=sgd"));
            Assert.That(lines.Count(l => l.Contains("{name: sgd, momentum: ", StringComparison.Ordinal)) + lines.Count(l => l.Contains("{name: adam}", StringComparison.Ordinal)),
                Is.EqualTo(6), "each trial shows the branch it took, and only its values");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Test]
    public void Tpe_trials_after_the_start_up_ones_are_marked_as_chosen_from_results()
    {
        var result = CliRunner.Run("plan", CliRunner.Experiment("convnet.yml"), "--trials", "12", "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var trials = doc.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials.Take(10).Select(t => t.GetProperty("fixed_in_advance").GetBoolean()), Has.All.True);
        Assert.That(trials.Skip(10).Select(t => t.GetProperty("params").ValueKind), Has.All.EqualTo(JsonValueKind.Null));
        Assert.That(result.Stderr, Does.Contain("trials 0-9 are sampled at random; the others are chosen from the results so far"), "on stderr, not in the JSON");
    }

    [Test]
    public void The_same_seed_prints_the_same_plan_and_another_seed_another()
    {
        string Plan(string seed) => CliRunner.Run("plan", CliRunner.Experiment("resnet.yml"), "--trials", "20", "--seed", seed, "--format", "json").Stdout;
        var first = Plan("42");
        Assert.That(Plan("42"), Is.EqualTo(first));
        Assert.That(Plan("43"), Is.Not.EqualTo(first));
    }

    [Test]
    public void Table_plan_has_a_column_per_searched_parameter_and_a_row_per_trial()
    {
        var result = CliRunner.Run("plan", CliRunner.Experiment("convnet.yml"), "--trials", "3");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith("Simple CNN: 3 trials of convnet"));
        Assert.That(lines[1], Is.EqualTo("fixed: epochs=5, seed=2342"));
        Assert.That(lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Is.EqualTo(new[] { "trial", "seed", "bs", "lr", "optimizer", "out_channels", "normalize" }));
        Assert.That(lines, Has.Length.EqualTo(3 + 3));
        Assert.That(lines[3], Does.Match(@"^\s*0\s+\d+\s+\d+\s+[0-9.e-]+\s+(adam|sgd)\s+\[\d+, \d+\]\s+(yes|no)$"));
    }

    [Test]
    public void An_invalid_experiment_plans_nothing_and_exits_2()
    {
        var bad = CliRunner.TempFile("name: x\nkind: batch\nnum_trials: 1\nmetric: {name: a, direction: minimize}\nrun: convnet\n");
        try
        {
            var result = CliRunner.Run("plan", bad, "--format", "json");
            Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
            Assert.That(result.Stdout, Is.Empty);
            Assert.That(result.Stderr, Does.Contain($"kind: unknown kind 'batch'; use group (a search), or experiment or job (a single run) at {bad}:2:7"));
        }
        finally
        {
            File.Delete(bad);
        }
    }
}
