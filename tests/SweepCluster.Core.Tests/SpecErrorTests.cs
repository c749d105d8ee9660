using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Tests;

/// <summary>Every kind of bad input gets a located message that says what would be right.</summary>
public class SpecErrorTests
{
    [Test]
    public void A_zero_loguniform_bound_is_named_with_file_line_and_column()
    {
        var yaml = File.ReadAllText(Specs.Experiment("convnet.yml")).Replace("loguniform(0.0001, 0.01)", "loguniform(0, 0.01)");
        var errors = Specs.Errors(yaml, "convnet.yml");
        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[] { "param_space.lr: loguniform needs lo > 0 (got 0) at convnet.yml:14:7" }));
    }

    [Test]
    public void A_misspelt_key_suggests_the_nearest_known_one()
    {
        var yaml = File.ReadAllText(Specs.Experiment("convnet.yml")).Replace("num_trials", "num_trails");
        var errors = Specs.Errors(yaml);
        Assert.That(errors.Select(e => e.ToString()), Does.Contain("num_trails: unknown key; did you mean 'num_trials'? at test.yml:3:1"));
        Assert.That(errors.Select(e => e.KeyPath), Does.Contain("num_trials"), "and the required key is reported missing");
    }

    [Test]
    public void All_errors_of_a_file_are_reported_at_once()
    {
        var yaml = """
            name: several
            kind: group
            num_trials: 0
            sampler: rnadom
            param_space:
              lr: loguniform(0, 1)
              bs: randint(256, 32)
            metric:
              name: test_f1
              direction: maximise
            run: [src/convnet.py]
            """;
        var errors = Specs.Errors(yaml);
        Assert.That(errors.Select(e => (e.KeyPath, e.Line)), Is.EqualTo(new[]
        {
            ("num_trials", 3), ("sampler", 4), ("param_space.lr", 6), ("param_space.bs", 7), ("metric.direction", 10),
        }));
        Assert.That(errors[1].Message, Does.Contain("did you mean 'random'"));
        Assert.That(errors[4].Message, Does.Contain("did you mean 'maximize'"));
    }

    [Test]
    public void Errors_come_in_the_files_order_whatever_order_the_checks_find_them_in()
    {
        // The metric's direction is checked before param_space is read, and a missing key is noted at the top.
        var yaml = """
            name: ordered
            num_trials: 2
            param_space:
              lr: loguniform(0, 1)
            metric:
              name: test_f1
              direction: sideways
            """;
        var errors = Specs.Errors(yaml);
        Assert.That(errors.Select(e => e.Line), Is.Ordered);
        Assert.That(errors.Select(e => e.KeyPath), Is.EqualTo(new[] { "run", "param_space.lr", "metric.direction" }));
    }

    [Test]
    public void A_dotted_key_and_a_nested_key_for_the_same_parameter_are_refused_at_the_second()
    {
        var errors = Specs.Errors(Specs.WithSpace("""
              optimizer.lr: uniform(0, 1)
              optimizer:
                lr: loguniform(0.001, 0.1)
            """));
        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "param_space.optimizer.lr: optimizer.lr is already searched at line 7: a dotted key (a.b: ...) and a nested one (a: {b: ...}) name the same parameter; "
                + "give it once at test.yml:9:9",
        }));
    }

    // Each row: a param_space line, the message expected (in part), the column of the value.
    [TestCase("loguniform(-1, 1)", "loguniform needs lo > 0 (got -1)")]
    [TestCase("loguniform(0.1, 0.01)", "loguniform needs lo < hi")]
    [TestCase("uniform(2, 1)", "uniform needs lo < hi (got 2, 1)")]
    [TestCase("uniform(1)", "uniform takes 2 numbers; got 1 argument")]
    [TestCase("uniform(a, 1)", "'a' is not a number")]
    [TestCase("quniform(0, 1, 0)", "quniform needs q > 0")]
    [TestCase("qloguniform(0, 1, 0.1)", "qloguniform needs lo > 0")]
    [TestCase("normal(0, 0)", "normal needs sigma > 0")]
    [TestCase("randint(1.5, 3)", "randint needs an integer lo; got 1.5")]
    [TestCase("randint(5, 1)", "randint needs lo <= hi (got 5, 1); both bounds are included")]
    [TestCase("range(5, 5)", "range(5, 5, 1) is empty (stop is excluded, as in Python)")]
    [TestCase("range(0, 5, 0)", "range needs a step other than 0")]
    [TestCase("choice([])", "choice needs at least one value")]
    [TestCase("choice('a', 'b')", "choice takes one list of values")]
    [TestCase("choice(['a', 'b')", "expected ']'")]
    [TestCase("choice(['a, 'b'])", "expected ']' at 'b'])'")]
    [TestCase("grid([1, 2]", "missing ')' at the end")]
    [TestCase("loguniorm(0.1, 1)", "unknown distribution 'loguniorm'; did you mean 'loguniform'?")]
    [TestCase("uniform(0, 1) + 1", "unexpected '+ 1' after the closing parenthesis")]
    public void A_bad_distribution_is_named_at_its_value(string distribution, string expected)
    {
        var errors = Specs.Errors(Specs.WithSpace($"  x: {distribution}"));
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0].KeyPath, Is.EqualTo("param_space.x"));
        Assert.That(errors[0].Message, Does.Contain(expected));
        Assert.That((errors[0].Line, errors[0].Column), Is.EqualTo((7, 6)));
    }

    [Test]
    public void A_bad_element_of_a_list_parameter_is_named_by_index()
    {
        var errors = Specs.Errors(Specs.WithSpace("  out_channels:\n    - randint(2, 20)\n    - randint(20, 2)"));
        Assert.That(errors.Single().ToString(), Does.StartWith("param_space.out_channels[1]: randint needs lo <= hi").And.EndWith("test.yml:9:7"));
    }

    [TestCase("kind: experiment", "param_space", "kind 'experiment' runs once with its params; a search space needs kind: group")]
    [TestCase("kind: batch", "kind", "unknown kind 'batch'; use group (a search), or experiment or job (a single run)")]
    [TestCase("num_trials: 2.5", "num_trials", "needs a whole number >= 1 (got '2.5')")]
    [TestCase("pruner: asha", "pruner", "'asha' is not one of median, sha, hyperband, none")]
    [TestCase("timeout_per_trial: -5", "timeout_per_trial", "needs a number of seconds > 0")]
    [TestCase("max_failures: -1", "max_failures", "needs an integer >= 0")]
    [TestCase("resources_per_worker: {cpu: 1, gpu: 1.5}", "resources_per_worker.gpu", "a share of one GPU below 1")]
    [TestCase("resources_per_worker: {cpus: 1}", "resources_per_worker.cpus", "did you mean 'cpu'?")]
    [TestCase("run: [src/convnet.py, src/cae.py]", "run[0]", "'src/convnet.py' is a built-in trainer, which runs alone")]
    [TestCase("run: src/mlp.py", "run", "'src/mlp.py' is not a built-in trainer. A program of your own runs from its code folder")]
    [TestCase("run: builtin/sleep", "metric.name", "builtin/sleep reports no metric 'test_f1'; it reports value")]
    [TestCase("run: src/lenet.py", "run", "'src/lenet.py' is not a built-in trainer; did you mean 'resnet'? A program of your own")]
    [TestCase("params: {lr: loguniform(0.1, 1)}", "params.lr", "is a distribution; searched values go under param_space")]
    public void A_bad_top_level_value_is_named(string line, string keyPath, string expected)
    {
        var key = line[..line.IndexOf(':')];
        var yaml = Specs.WithSpace("  x: uniform(0, 1)");
        yaml = yaml.Contains(key + ":") ? string.Join('\n', yaml.Split('\n').Select(l => l.StartsWith(key + ":", StringComparison.Ordinal) ? line : l)) : yaml + "\n" + line;
        var errors = Specs.Errors(yaml);
        Assert.That(errors.Select(e => e.KeyPath), Does.Contain(keyPath));
        Assert.That(errors.First(e => e.KeyPath == keyPath).Message, Does.Contain(expected));
    }

    [Test]
    public void A_call_split_by_a_flow_map_says_why()
    {
        var yaml = Specs.WithSpace("  x: uniform(0, 1)").Replace("param_space:\n  x: uniform(0, 1)", "param_space: {x: uniform(0, 1)}");
        var error = Specs.Errors(yaml).First();
        Assert.That(error.Message, Does.Contain("inside {...} YAML splits at commas: quote the expression"));
    }

    [Test]
    public void Missing_required_keys_are_each_named()
    {
        var errors = Specs.Errors("kind: group\nparam_space: {}\n");
        Assert.That(errors.Select(e => e.KeyPath), Is.EquivalentTo(new[] { "name", "num_trials", "metric", "run" }));
        Assert.That(errors, Has.All.Matches<SpecError>(e => e.Message.StartsWith("required key is missing", StringComparison.Ordinal)));
    }

    [Test]
    public void A_grid_sampler_rejects_a_continuous_dimension()
    {
        var errors = Specs.Errors(Specs.WithSpace("  lr: loguniform(1e-4, 1e-2)", sampler: "grid"));
        Assert.That(errors.Single().Message, Does.Contain("sampler grid runs every value, and loguniform(0.0001, 0.01) has infinitely many"));
    }

    [Test]
    public void An_oversized_grid_is_refused_at_num_trials()
    {
        var errors = Specs.Errors(Specs.WithSpace("  a: randint(0, 100000)\n  b: randint(0, 100000)", numTrials: 2, sampler: "grid"));
        Assert.That(errors.Single().ToString(), Does.StartWith("num_trials: the sweep would run 20000400002 trials").And.EndWith("test.yml:3:13"));
    }

    [Test]
    public void Invalid_yaml_is_located()
    {
        var errors = Specs.Errors("name: x\nnum_trials: 3\n  bad: [\n");
        Assert.That(errors.Single().Message, Does.StartWith("the file is not valid YAML"));
        Assert.That(errors.Single().Line, Is.EqualTo(3));
        var unclosed = Specs.Errors("name: x\nnum_trials: [1, 2\nrun: a\n");
        Assert.That(unclosed.Single().Message, Does.Contain("close the bracket"));
        Assert.That(unclosed.Single().Line, Is.EqualTo(3));
    }

    [Test]
    public void A_duplicate_key_is_located()
    {
        var errors = Specs.Errors(Specs.WithSpace("  x: uniform(0, 1)\n  x: uniform(0, 2)"));
        Assert.That(errors.Single().Line, Is.EqualTo(8));
        Assert.That(errors.Single().Message, Does.Contain("x"));
    }

    [TestCase("", "the file is empty")]
    [TestCase("- a\n- b\n", "an experiment file is a mapping")]
    public void A_file_that_is_no_experiment_says_so(string yaml, string expected) =>
        Assert.That(Specs.Errors(yaml).Single().Message, Does.Contain(expected));

    [Test]
    public void A_missing_file_is_named()
    {
        var result = ExperimentSpecParser.ParseFile("/nonexistent/convnet.yml");
        Assert.That(result.Errors.Single().ToString(), Is.EqualTo("cannot read the experiment file: no such file at /nonexistent/convnet.yml:1:1"));
    }
}
