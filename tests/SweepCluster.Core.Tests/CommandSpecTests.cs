using SweepCluster.Core.Planning;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Tests;

/// <summary><c>run:</c> naming the user's program, and SnapperML's keys read as SnapperML means them.</summary>
public class CommandSpecTests
{
    private string _code = "";

    [SetUp]
    public void MakeCodeFolder()
    {
        _code = Directory.CreateTempSubdirectory("code-").FullName;
        Directory.CreateDirectory(Path.Combine(_code, "src"));
        File.WriteAllText(Path.Combine(_code, "train.py"), "print('hi')\n");
    }

    [TearDown]
    public void RemoveCodeFolder() => Directory.Delete(_code, recursive: true);

    private SpecParseResult Parse(string yaml, bool readable = true) =>
        ExperimentSpecParser.Parse(yaml, "exp.yml", new CodeFolder(_code, readable));

    private static string Group(string run, string extra = "") => $"""
        name: mine
        num_trials: 3
        {extra}
        params:
          epochs: 4
        param_space:
          lr: loguniform(0.001, 0.1)
        metric: {"{"}name: val_loss, direction: minimize{"}"}
        run: {run}
        """;

    [Test]
    public void A_python_script_in_the_code_folder_is_the_users_program()
    {
        var spec = Parse(Group("[train.py]")).Spec!;
        Assert.That(spec.Commands, Is.EqualTo(new[] { "train.py" }));
        Assert.That((spec.CodeDirectory, spec.Trainer), Is.EqualTo((_code, "train.py")));
    }

    [Test]
    public void Check_says_the_program_answers_check_and_is_refused_for_a_built_in_or_a_value_that_is_not_true_or_false()
    {
        File.WriteAllText(Path.Combine(_code, "train.py"), "");
        Assert.That(Parse(Group("[train.py]")).Spec!.Check, Is.False, "off unless asked");
        Assert.That(Parse(Group("[train.py]", "check: true")).Spec!.Check, Is.True);
        var builtin = Parse(Group("[src/convnet.py]", "check: true").Replace("val_loss", "test_f1"));
        Assert.That(builtin.Spec, Is.Null);
        Assert.That(builtin.Errors.Single().ToString(), Does.Contain("check").And.Contain("always checked before a sweep"));
        var notFlag = Parse(Group("[train.py]", "check: sometimes"));
        Assert.That(notFlag.Errors.Single().ToString(), Is.EqualTo("check: needs true or false (got 'sometimes') at exp.yml:3:8"));
    }

    [Test]
    public void A_built_in_name_is_the_built_in_unless_the_folder_holds_that_file()
    {
        var yaml = Group("[src/convnet.py]").Replace("val_loss", "test_f1");
        Assert.That(Parse(yaml).Spec!.Commands, Is.Null, "no src/convnet.py here: the study's network");
        File.WriteAllText(Path.Combine(_code, "src", "convnet.py"), "");
        var spec = Parse(yaml).Spec!;
        Assert.That((spec.Commands, spec.Trainer), Is.EqualTo((new[] { "src/convnet.py" }, "convnet.py")), "the user's own convnet.py wins");
        Assert.That(Parse(yaml, readable: false).Spec!.Commands, Is.Not.Null, "a coordinator that cannot see the folder takes the submitter's word");
    }

    [Test]
    public void Several_entries_and_command_lines_with_placeholders_are_kept_in_order()
    {
        var spec = Parse(Group("""["python3 train.py --lr {{lr}} --epochs {{epochs}}", {command: "sh -c 'echo done'"}]""")).Spec!;
        Assert.That(spec.Commands, Is.EqualTo(new[] { "python3 train.py --lr {{lr}} --epochs {{epochs}}", "sh -c 'echo done'" }));
    }

    [TestCase("[missing.py]", "run[0]", "there is no file missing.py in the code folder")]
    [TestCase("[./bin/train]", "run[0]", "there is no file ./bin/train in the code folder")]
    [TestCase("[no-such-program-here --x 1]", "run[0]", "the program 'no-such-program-here' is not on PATH")]
    [TestCase("[\"python3 train.py --lr {{lrr}}\"]", "run[0]", "{{lrr}} names no parameter; the parameters are epochs, lr")]
    [TestCase("[\"python3 'train.py\"]", "run[0]", "cannot be read as a command: the quote at character 9 is never closed")]
    public void A_command_that_cannot_run_is_located(string run, string keyPath, string expected)
    {
        var errors = Parse(Group(run)).Errors;
        Assert.That(errors, Has.Count.EqualTo(1), string.Join("\n", errors));
        Assert.That((errors[0].KeyPath, errors[0].Line), Is.EqualTo((keyPath, 9)));
        Assert.That(errors[0].Message, Does.Contain(expected));
    }

    [Test]
    public void Without_a_code_folder_only_built_in_trainers_are_accepted()
    {
        var errors = ExperimentSpecParser.Parse(Group("[train.py]"), "exp.yml").Errors;
        Assert.That(errors.Single().Message, Does.StartWith("'train.py' is not a built-in trainer."));
    }

    [Test]
    public void Root_path_moves_the_code_folder()
    {
        File.Move(Path.Combine(_code, "train.py"), Path.Combine(_code, "src", "train.py"));
        var result = Parse(Group("[train.py]", "root_path: src"));
        Assert.That(result.Errors, Is.Empty, string.Join("\n", result.Errors));
        var spec = result.Spec!;
        Assert.That(spec.CodeDirectory, Is.EqualTo(Path.Combine(_code, "src")));
        Assert.That(Parse(Group("[train.py]", "root_path: nowhere")).Errors.First(e => e.KeyPath == "root_path").ToString(),
            Does.StartWith($"root_path: there is no folder {Path.Combine(_code, "nowhere")}").And.EndWith("exp.yml:3:12"));
    }

    /// <summary>SnapperML's released schema, as its own examples write it: each file is accepted, with a notice for what works differently.</summary>
    [Test]
    public void SnapperML_files_are_accepted_as_they_are()
    {
        var result = Parse("""
            name: "MLP"
            kind: 'group'
            num_trials: 50
            sampler: tpe
            param_space:
              layers:
                - range(100, 1000, 25)
                - range(100, 1000, 25)
              ps: uniform(0, 0.5)
              lr: loguniform(0.001, 0.1)
              one_cycle: choice([false, true])
            params:
              epochs: 100
              lr: 0.01
            data:
              folder: data
              files: [train.csv, test.csv]
            docker_config:
              image: snapper:latest
            metric:
              name: val_accuracy
            ray_config:
              num_cpus: 4
            run:
              - train.py
            """);
        Assert.That(result.Errors, Is.Empty, string.Join("\n", result.Errors));
        var spec = result.Spec!;
        Assert.That(spec.Metric.Direction, Is.EqualTo(MetricDirection.Minimize), "SnapperML's default direction");
        Assert.That(spec.Params["lr"], Is.Null, "the searched lr wins over the fixed one");
        Assert.That(spec.DataDirectory, Is.EqualTo("data"));
        Assert.That(result.Notices!.Select(n => n.KeyPath), Is.EquivalentTo(new[] { "param_space.lr", "docker_config", "metric.direction", "ray_config" }));
        Assert.That(result.Notices!.Single(n => n.KeyPath == "ray_config").ToString(), Does.Contain("has no effect here").And.EndWith("exp.yml:22:1"));
    }

    [TestCase("kind: experiment\n")]
    [TestCase("kind: job\n")]
    [TestCase("")]
    public void A_single_run_is_a_sweep_of_one_trial_of_its_params(string kind)
    {
        var spec = Parse($"""
            name: once
            {kind}params:
              epochs: 2
            metric: {"{"}name: val_loss, direction: minimize{"}"}
            run: [train.py]
            """).Spec!;
        Assert.That(TrialPlanner.TotalTrials(spec), Is.EqualTo(1));
        Assert.That(TrialPlanner.Plan(spec).Trials.Single().Params!["epochs"], Is.EqualTo(new ParamValue.Int(2)));
    }

    /// <summary>SnapperML's experiment and job schema has no metric at all (its models forbid one): such a file runs as it is.</summary>
    [TestCase("kind: experiment\n")]
    [TestCase("")]
    public void A_single_run_of_your_program_needs_no_metric(string kind)
    {
        var result = Parse($"""
            name: once
            {kind}params:
              epochs: 2
            data:
              folder: data
            docker_config:
              image: snapper:latest
            run:
              - train.py
            """);
        Assert.That(result.Errors, Is.Empty, string.Join("\n", result.Errors));
        Assert.That(result.Spec!.Metric, Is.EqualTo(new MetricSpec(MetricSpec.ExitStatus, MetricDirection.Minimize)), "it completes when its program exits 0");
        Assert.That(result.Notices!.Single(n => n.KeyPath == "metric").ToString(), Does.Contain("a single run needs none").And.EndWith("exp.yml:1:1"));
        Assert.That(Parse("name: once\nrun: [convnet]\n").Spec!.Metric, Is.EqualTo(new MetricSpec("test_f1", MetricDirection.Maximize)), "a network's single run: its F1");
        Assert.That(Parse(Group("[train.py]").Replace("metric: {name: val_loss, direction: minimize}\n", "")).Errors.Single().ToString(),
            Does.StartWith("metric: required key is missing"), "a search still needs the metric it optimises");
    }

    /// <summary>SnapperML finds <c>run:</c> paths from the folder it is started in; this project from the experiment's.</summary>
    [Test]
    public void A_script_found_from_the_current_folder_instead_is_pointed_to()
    {
        var script = $"snapper-{Guid.NewGuid():N}.py";
        File.WriteAllText(script, "print('hi')\n");
        try
        {
            var error = Parse(Group($"[{script}]")).Errors.Single().ToString();
            Assert.That(error, Does.Contain($"there is no file {script} in the code folder {_code}"));
            Assert.That(error, Does.Contain($"it is in the current folder, where SnapperML looks: give --code {Environment.CurrentDirectory}"));
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Test]
    public void Placeholders_are_filled_word_by_word_so_a_value_stays_one_argument()
    {
        var parameters = new ParamValue.Map([
            KeyValuePair.Create<string, ParamValue>("name", new ParamValue.Text("two words")),
            KeyValuePair.Create<string, ParamValue>("lr", new ParamValue.Real(0.001)),
            KeyValuePair.Create<string, ParamValue>("layers", new ParamValue.List([new ParamValue.Int(3), new ParamValue.Int(4)])),
        ]);
        var words = CommandWords.Split("""train --name {{name}} --lr={{lr}} --layers '{{layers}}' "a \"quoted\" word" \{{x}}""", out _)!;
        Assert.That(words.Select(w => CommandWords.Fill(w, parameters)),
            Is.EqualTo(new[] { "train", "--name", "two words", "--lr=0.001", "--layers", "[3,4]", "a \"quoted\" word", "{{x}}" }));
    }
}

/// <summary>Files built to break the node that reads them get a located error instead.</summary>
public class HostileSpecTests
{
    [Test]
    public void A_map_nested_ten_thousand_deep_is_refused_without_overflowing_the_stack()
    {
        var yaml = "name: deep\nparams:\n  a: " + string.Concat(Enumerable.Repeat("{a: ", 10_000)) + "1" + new string('}', 10_000) + "\n";
        var error = Specs.Errors(yaml).Single();
        Assert.That(error.ToString(), Does.StartWith($"the file nests more than {YamlLimits.MaxDepth} levels deep").And.EndWith("test.yml:3:"
            + (6 + 4 * (YamlLimits.MaxDepth - 2))), "at the first map past the limit: the root and params are two levels");
    }

    [Test]
    public void Aliases_are_refused_where_they_are_used()
    {
        var yaml = "name: bomb\nx: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\ny: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n";
        Assert.That(Specs.Errors(yaml).Single().ToString(), Is.EqualTo("YAML aliases (*a) are not accepted in an experiment file; write the value out at test.yml:3:8"));
    }

    [Test]
    public void A_file_over_a_mebibyte_is_refused_before_it_is_read()
    {
        var yaml = "name: big\n# " + new string('x', YamlLimits.MaxBytes) + "\n";
        Assert.That(Specs.Errors(yaml).Single().Message, Does.Contain("an experiment file is at most 1048576 (1 MiB)"));
    }
}

public class FiniteDrawTests
{
    [TestCase("uniform(-1e308, 1e308)")]
    [TestCase("quniform(-1e308, 1e308, 1)")]
    [TestCase("normal(0, 1e307)")]
    public void Bounds_whose_draws_would_overflow_are_refused(string distribution) =>
        Assert.That(Specs.Errors(Specs.WithSpace($"  x: {distribution}")).Single().Message, Does.Contain("these bounds let draws overflow to infinity"));
}

/// <summary>SnapperML's <c>${VAR}</c>, expanded by the client from its own environment.</summary>
public class ExperimentTextTests
{
    [Test]
    public void Variables_are_expanded_with_defaults_and_an_unset_one_is_located()
    {
        var text = "name: ${RUN_NAME}\ndata:\n  folder: ${DATA_ROOT:-/data}/showers\nrun: [${TRAINER}]\n";
        var (expanded, errors) = ExperimentText.Expand(text, "exp.yml", name => name == "RUN_NAME" ? "mine" : null);
        Assert.That(expanded, Is.EqualTo("name: mine\ndata:\n  folder: /data/showers\nrun: [${TRAINER}]\n"));
        Assert.That(errors.Single().ToString(), Is.EqualTo("the environment variable TRAINER is not set; set it, or write ${TRAINER:-default} at exp.yml:4:7"));
    }
}
