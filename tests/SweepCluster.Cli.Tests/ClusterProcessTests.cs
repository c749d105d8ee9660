using System.Text.Json;
using SweepCluster.Core.Planning;
using SweepCluster.Training.Trials;
using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// Three real node processes on loopback (a coordinator and two workers, started with <c>sweepctl node start</c>),
/// driven with the pbm-style client as an operator would.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class ClusterProcessTests
{
    private NodeProcesses _nodes = null!;
    private NodeProcesses.Node _coordinator = null!;
    private NodeProcesses.Node _worker1 = null!;
    private NodeProcesses.Node _worker2 = null!;

    [OneTimeSetUp]
    public void StartCluster()
    {
        _nodes = new NodeProcesses();
        _coordinator = _nodes.Start("coordinator");
        _worker1 = _nodes.Start("worker", _coordinator.ClusterAddress, "--cpu-slots 2");
        _worker2 = _nodes.Start("worker", $"127.0.0.1:{_coordinator.Port}", "--cpu-slots 2");
        NodeProcesses.WaitUntil(() => Json(_coordinator.Address, "node", "show").GetProperty("workers").GetArrayLength() == 2, TimeSpan.FromSeconds(60), "both workers to offer their slots");
    }

    [OneTimeTearDown]
    public void StopCluster() => _nodes.Dispose(); // kills the nodes and removes their folder, experiment files included

    private string Experiment(int trials, double seconds) => ClusterCommands.SleepExperiment(_nodes.Root, trials, seconds, seed: 11);

    [Test]
    public void Cluster_show_lists_every_member_as_pbm_prints_it()
    {
        var result = CliRunner.Run(_worker1.Address, "cluster", "show");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var lines = result.Stdout.Trim().Split('\n');
        Assert.That(lines, Does.Contain($"{_coordinator.ClusterAddress} | [coordinator] | up |"));
        Assert.That(lines, Does.Contain($"{_worker1.ClusterAddress} | [worker] | up |"));
        Assert.That(lines, Does.Contain($"{_worker2.ClusterAddress} | [worker] | up |"));
        Assert.That(lines[^1], Is.EqualTo("Count: 3 nodes"));
    }

    [Test]
    public void Sweep_enqueue_runs_the_given_configuration_in_a_running_sweep_and_refuses_values_outside_a_dimension()
    {
        // Eight trials of 2 s on four slots: four wait unplanned while the first four run.
        var id = Submit(_worker1.Address, Experiment(8, 2.0));
        var refused = CliRunner.Run(_worker1.Address, "sweep", "enqueue", "-i", id, "--set", "value=7", "--set", "seconds=1");
        Assert.That(refused.ExitCode, Is.EqualTo(2));
        Assert.That(refused.Stderr, Does.Contain("value=7: not a value of uniform(0, 1)"));
        Assert.That(refused.Stderr, Does.Contain("seconds is fixed in params (2): only param_space dimensions can be set"));
        Assert.That(CliRunner.Run(_worker1.Address, "sweep", "enqueue", "-i", id, "--set", "value").Stderr, Does.Contain("--set takes DIMENSION=VALUE, like lr=0.002 (got 'value')"));

        var accepted = CliRunner.Run(_worker1.Address, "sweep", "enqueue", "-i", id, "--set", "value=0.777");
        Assert.That(accepted.ExitCode, Is.Zero, accepted.Stderr);
        Assert.That(accepted.Stdout.Trim(), Is.EqualTo($"sweep {id}: value=0.777 runs next"));
        Assert.That(CliRunner.Run(_coordinator.Address, "sweep", "watch", "-i", id).ExitCode, Is.Zero);
        var trials = Json(_coordinator.Address, "sweep", "trials", "-i", id).GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials, Has.Count.EqualTo(8));
        var enqueued = trials.Single(t => t.GetProperty("params").GetProperty("value").GetDouble() == 0.777);
        Assert.That(enqueued.GetProperty("index").GetInt32(), Is.EqualTo(4), "the first trial planned after the enqueue");
    }

    [Test]
    public void Sweep_extend_continues_an_ended_sweep_under_its_id_with_the_next_indices()
    {
        var id = Submit(_worker1.Address, Experiment(4, 0.2));
        Assert.That(CliRunner.Run(_coordinator.Address, "sweep", "watch", "-i", id).ExitCode, Is.Zero);
        var before = Json(_coordinator.Address, "sweep", "trials", "-i", id).GetProperty("trials").EnumerateArray().ToList();

        var extended = CliRunner.Run(_worker2.Address, "sweep", "extend", "-i", id, "--trials", "+3");
        Assert.That(extended.ExitCode, Is.Zero, extended.Stderr);
        Assert.That(extended.Stdout.Trim(), Is.EqualTo($"sweep {id}: 3 more trials, 7 in all"));
        var watch = CliRunner.Run(_coordinator.Address, "sweep", "watch", "-i", id);
        Assert.That(watch.ExitCode, Is.Zero, watch.Stderr);
        Assert.That(watch.Stdout, Does.Contain("7/7 done"));

        var status = Json(_coordinator.Address, "sweep", "status", "-i", id);
        Assert.That((status.GetProperty("state").GetString(), status.GetProperty("total_trials").GetInt32(), status.GetProperty("summary").GetProperty("completed").GetInt32()),
            Is.EqualTo(("completed", 7, 7)));
        var trials = Json(_coordinator.Address, "sweep", "trials", "-i", id).GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials.Select(t => t.GetProperty("index").GetInt32()), Is.EquivalentTo(Enumerable.Range(0, 7)));
        foreach (var earlier in before)
            Assert.That(trials.Single(t => t.GetProperty("index").GetInt32() == earlier.GetProperty("index").GetInt32()).GetProperty("params").ToString(),
                Is.EqualTo(earlier.GetProperty("params").ToString()), "earlier trials are kept as they ran");
        var best = trials.Max(t => t.GetProperty("metrics").GetProperty("value").GetDouble());
        Assert.That(status.GetProperty("summary").GetProperty("max").GetDouble(), Is.EqualTo(best), "the summary covers every trial");
        var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(status.GetProperty("run_directory").GetString()!, "sweep.json"))).RootElement;
        Assert.That(file.GetProperty("trials").GetArrayLength(), Is.EqualTo(7), "sweep.json is written again when the sweep ends again");

        var unknown = CliRunner.Run(_coordinator.Address, "sweep", "extend", "-i", "nosuch00", "--trials", "+1");
        Assert.That(unknown.ExitCode, Is.EqualTo(2));
        Assert.That(unknown.Stderr, Does.Contain("sweep nosuch00 cannot be extended").And.Contain("no sweep has the id 'nosuch00' (sweep list shows them)"));
        Assert.That(CliRunner.Run(_coordinator.Address, "sweep", "extend", "-i", id, "--trials", "+0").Stderr, Does.Contain("--trials needs a whole number >= 1 (got '+0')"));
    }

    [Test]
    public void Sweep_submit_warm_start_uses_the_earlier_trials_that_fit_the_new_space_and_names_the_others()
    {
        var earlier = Submit(_worker1.Address, Experiment(6, 0.1));
        Assert.That(CliRunner.Run(_coordinator.Address, "sweep", "watch", "-i", earlier).ExitCode, Is.Zero);
        var values = Json(_coordinator.Address, "sweep", "trials", "-i", earlier).GetProperty("trials").EnumerateArray()
            .Select(t => t.GetProperty("params").GetProperty("value").GetDouble()).ToList();

        // The new space keeps half of the old one: trials above 0.5 do not fit it.
        var narrower = Path.Combine(_nodes.Root, "narrower.yml");
        File.WriteAllText(narrower, File.ReadAllText(Experiment(2, 0.1)).Replace("value: uniform(0, 1)", "value: uniform(0, 0.5)"));
        var submitted = Json(_worker2.Address, "sweep", "submit", "-f", narrower, "--warm-start", earlier);
        var id = submitted.GetProperty("id").GetString()!;
        var fitting = values.Count(v => v < 0.5);
        Assert.That((submitted.GetProperty("warm_start").GetProperty("used").GetInt32(), submitted.GetProperty("warm_start").GetProperty("not_used_count").GetInt32()),
            Is.EqualTo((fitting, values.Count - fitting)));
        Assert.That(CliRunner.Run(_coordinator.Address, "sweep", "watch", "-i", id).ExitCode, Is.Zero);
        var status = CliRunner.Run(_coordinator.Address, "sweep", "status", "-i", id).Stdout;
        Assert.That(status, Does.Contain($"warm start from {earlier}: {fitting} trials used as observations, {values.Count - fitting} not fitting this space"));
        Assert.That(status, Does.Match($@"not used: trial \d of {earlier}: value=0\.\d+ is not a value of uniform\(0, 0\.5\)"));
        Assert.That(Json(_coordinator.Address, "sweep", "trials", "-i", id).GetProperty("trials").GetArrayLength(), Is.EqualTo(2), "its table holds its own trials");

        var unknown = CliRunner.Run(_coordinator.Address, "sweep", "submit", "-f", narrower, "--warm-start", "nosuch00");
        Assert.That(unknown.ExitCode, Is.EqualTo(2));
        Assert.That(unknown.Stderr, Does.Contain("warm start: no sweep has the id 'nosuch00', and the runs folder has no run folder 'nosuch00'"));
        // Folders outside the runs folder, there or not, get the answer a missing one gets: a submission learns nothing of the node's disk.
        foreach (var outside in new[] { "/tmp", "/nonexistent-folder", "../..", _coordinator.Store })
        {
            var refused = CliRunner.Run(_coordinator.Address, "sweep", "submit", "-f", narrower, "--warm-start", outside);
            Assert.That((refused.ExitCode, refused.Stderr.Trim().Split('\n').Last()),
                Is.EqualTo((2, $"warm start: no sweep has the id '{outside}', and the runs folder has no run folder '{outside}'")));
        }
    }

    [Test]
    public void Sweep_report_draws_the_report_of_cluster_sweeps_here()
    {
        var ids = new[] { Submit(_worker1.Address, Experiment(5, 0.1)), Submit(_worker2.Address, Experiment(4, 0.1)) };
        foreach (var id in ids) Assert.That(CliRunner.Run(_coordinator.Address, "sweep", "watch", "-i", id).ExitCode, Is.Zero);
        var folder = Path.Combine(_nodes.Root, "cluster-report");
        var result = CliRunner.Run(_worker1.Address, "sweep", "report", "-i", ids[0], "-i", ids[1], "--out", folder);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Stdout.Trim(), Does.StartWith($"report of 2 sweeps in {folder}"));
        var csv = File.ReadAllLines(Path.Combine(folder, "trials.csv"));
        Assert.That(csv, Has.Length.EqualTo(1 + 9));
        Assert.That(csv.Skip(1).Select(l => l.Split(',')[0]).Distinct(), Is.EquivalentTo(ids));
        var markdown = File.ReadAllText(Path.Combine(folder, "report.md"));
        Assert.That(markdown, Does.Contain("## Side by side"));
        foreach (var id in ids)
        {
            var summary = Json(_coordinator.Address, "sweep", "status", "-i", id).GetProperty("summary");
            Assert.That(markdown, Does.Contain($"| {summary.GetProperty("max").GetDouble().ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)} |"));
            Assert.That(new FileInfo(Path.Combine(folder, "figures", $"{id}-history.png")).Length, Is.GreaterThan(2000));
            Assert.That(new FileInfo(Path.Combine(folder, "figures", $"{id}-curves.svg")).Length, Is.GreaterThan(2000), "the curves came across with the trials");
        }
        var byIndex = Json(_worker2.Address, "sweep", "trials", "-i", ids[0], "--order", "index").GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("index").GetInt32());
        Assert.That(byIndex, Is.EqualTo(Enumerable.Range(0, 5)));
        var points = Json(_worker2.Address, "sweep", "points", "-i", ids[0]);
        Assert.That(points.GetProperty("index").EnumerateArray().Select(i => i.GetInt32()), Is.EqualTo(Enumerable.Range(0, 5)));
        Assert.That(points.GetProperty("params").GetProperty("value").EnumerateArray().Select(v => v.GetDouble()),
            Is.EqualTo(points.GetProperty("value").EnumerateArray().Select(v => v.GetDouble())), "the sleep trials report their value parameter");
        var trial = Json(_worker2.Address, "sweep", "trial", "-i", ids[0], "-t", "2");
        Assert.That((trial.GetProperty("index").GetInt32(), trial.GetProperty("curve").GetArrayLength()), Is.EqualTo((2, 2)), "a trial with each of its two steps");
        var unknown = CliRunner.Run(_worker1.Address, "sweep", "report", "-i", "nosuch00", "--out", folder);
        Assert.That((unknown.ExitCode, unknown.Stderr.Trim()), Is.EqualTo((1, "no sweep has the id 'nosuch00' (sweep list shows them)")));
    }

    [Test]
    public void A_sleep_sweep_runs_to_completion_on_both_workers()
    {
        var id = Submit(_worker2.Address, Experiment(8, 1.0));
        Assert.That(id, Does.Match("^[0-9a-f]{8}$"));
        var watch = CliRunner.Run(_coordinator.Address, "sweep", "watch", "-i", id);
        Assert.That(watch.ExitCode, Is.Zero, watch.Stderr);
        Assert.That(watch.Stdout, Does.Contain("8/8 done"));

        var status = Json(_worker1.Address, "sweep", "status", "-i", id);
        Assert.That(status.GetProperty("state").GetString(), Is.EqualTo("completed"));
        Assert.That(status.GetProperty("summary").GetProperty("completed").GetInt32(), Is.EqualTo(8));
        var trials = Json(_coordinator.Address, "sweep", "trials", "-i", id).GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials.Select(t => t.GetProperty("node").GetString()).Distinct(), Is.EquivalentTo(new[] { _worker1.ClusterAddress, _worker2.ClusterAddress }));
        // Each worker keeps its trials' artifacts under its own store; the coordinator keeps the sweep's summary under its own.
        foreach (var trial in trials)
        {
            var worker = trial.GetProperty("node").GetString() == _worker1.ClusterAddress ? _worker1 : _worker2;
            Assert.That(trial.GetProperty("artifacts").GetString(), Does.StartWith(Path.Combine(worker.Store, "runs") + "/"));
            Assert.That(File.Exists(Path.Combine(trial.GetProperty("artifacts").GetString()!, "trial.json")));
        }
        Assert.That(Json(_coordinator.Address, "sweep", "status", "-i", id).GetProperty("run_directory").GetString(), Does.StartWith(Path.Combine(_coordinator.Store, "runs") + "/"));
        Assert.That(File.Exists(Path.Combine(Json(_coordinator.Address, "sweep", "status", "-i", id).GetProperty("run_directory").GetString()!, "sweep.json")));
        var values = trials.Select(t => t.GetProperty("metrics").GetProperty("value").GetDouble()).ToList();
        Assert.That(values, Is.Ordered.Descending, "sweep trials sorts by the metric");
        var best = Json(_coordinator.Address, "sweep", "best", "-i", id);
        Assert.That(best.GetProperty("metrics").GetProperty("value").GetDouble(), Is.EqualTo(values[0]));
        Assert.That(Json(_coordinator.Address, "sweep", "trials", "-i", id, "--top", "3").GetProperty("trials").GetArrayLength(), Is.EqualTo(3));

        var runDirectory = status.GetProperty("run_directory").GetString()!;
        Assert.That(File.Exists(Path.Combine(runDirectory, "sweep.json")));
        var folder = Path.GetFileName(runDirectory);
        Assert.That(new[] { _worker1, _worker2 }.Sum(w => Directory.Exists(Path.Combine(w.Store, "runs", folder))
            ? Directory.GetFiles(Path.Combine(w.Store, "runs", folder), "trial.json", SearchOption.AllDirectories).Length : 0), Is.EqualTo(8),
            "each trial's record is on the worker that ran it, in a folder of the sweep's name");
        var list = Json(_worker1.Address, "sweep", "list").GetProperty("sweeps").EnumerateArray();
        Assert.That(list.Any(s => s.GetProperty("id").GetString() == id && s.GetProperty("state").GetString() == "completed"));
    }

    [Test]
    public void Confirming_a_sweep_finds_the_configuration_best_on_average_when_the_other_won_its_first_draw()
    {
        // Two configurations of a noisy objective, means 0.5 and 0.7, noise 0.2; trial 0 runs 0.5 and trial 1 runs 0.7. The sweep
        // seed is the first under which 0.5 wins its single draw, so the sweep's best trial is the configuration that is worse on average.
        var seed = Enumerable.Range(1, 1000).First(s =>
            BuiltinObjectives.Noisy(0.5, 0.2, TrialPlanner.TrialSeed(s, 0)) > BuiltinObjectives.Noisy(0.7, 0.2, TrialPlanner.TrialSeed(s, 1)));
        var file = Path.Combine(_nodes.Root, "noisy.yml");
        File.WriteAllText(file, $"""
            name: noisy
            num_trials: 1
            sampler: grid
            pruner: none
            seed: {seed}
            params:
              noise: 0.2
            param_space:
              mean: grid([0.5, 0.7])
            metric:
              name: value
              direction: maximize
            run: builtin/noisy
            """);
        var id = Submit(_coordinator.Address, file);
        Assert.That(CliRunner.Run(_coordinator.Address, "sweep", "watch", "-i", id).ExitCode, Is.Zero);
        var best = Json(_coordinator.Address, "sweep", "best", "-i", id);
        Assert.That(best.GetProperty("params").GetProperty("mean").GetDouble(), Is.EqualTo(0.5), "the lucky configuration won the sweep");

        var confirm = CliRunner.Run(_worker1.Address, "sweep", "confirm", "-i", id, "--top", "2", "--seeds", "40");
        Assert.That(confirm.ExitCode, Is.Zero, confirm.Stderr);
        var confirmation = confirm.Stdout.Trim();
        Assert.That(CliRunner.Run(_coordinator.Address, "sweep", "watch", "-i", confirmation).ExitCode, Is.Zero);
        var header = Json(_coordinator.Address, "sweep", "status", "-i", confirmation);
        Assert.That(header.GetProperty("confirms").GetProperty("sweep").GetString(), Is.EqualTo(id));
        Assert.That(header.GetProperty("total_trials").GetInt32(), Is.EqualTo(80));
        var trials = Json(_coordinator.Address, "sweep", "trials", "-i", confirmation).GetProperty("trials").EnumerateArray().ToList();
        Assert.That(trials.Count(t => t.GetProperty("params").GetProperty("mean").GetDouble() == 0.5), Is.EqualTo(40), "each configuration under 40 seeds");
        var source = Json(_coordinator.Address, "sweep", "trials", "-i", id).GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("seed").GetInt64());
        Assert.That(trials.Select(t => t.GetProperty("seed").GetInt64()).Distinct().Count(), Is.EqualTo(80));
        Assert.That(trials.Select(t => t.GetProperty("seed").GetInt64()), Has.None.AnyOf(source.Cast<object>().ToArray()), "new seeds, not the sweep's");

        var verdict = Json(_worker2.Address, "sweep", "verdict", "-i", confirmation);
        Assert.That(verdict.GetProperty("complete").GetBoolean());
        var configurations = verdict.GetProperty("configurations").EnumerateArray().ToDictionary(c => c.GetProperty("source_trial").GetInt32());
        Assert.That(configurations[0].GetProperty("runs").GetInt32(), Is.EqualTo(40));
        Assert.That(configurations[0].GetProperty("mean").GetDouble(), Is.EqualTo(0.5).Within(0.1));
        Assert.That(configurations[1].GetProperty("mean").GetDouble(), Is.EqualTo(0.7).Within(0.1));
        Assert.That(configurations[1].GetProperty("standard_error").GetDouble(), Is.EqualTo(0.2 / Math.Sqrt(40)).Within(0.015));
        Assert.That(configurations[1].GetProperty("probability_best").GetDouble(), Is.GreaterThan(0.99));
        Assert.That(verdict.GetProperty("best_source_trial").GetInt32(), Is.EqualTo(1));
        Assert.That(verdict.GetProperty("original_winner_stands").GetBoolean(), Is.False);
        var text = CliRunner.Run(_worker2.Address, "sweep", "verdict", "-i", confirmation).Stdout;
        Assert.That(text, Does.Contain("the winner does not stand: trial 1's configuration has the best mean value"));

        var notConfirmation = CliRunner.Run(_coordinator.Address, "sweep", "verdict", "-i", id);
        Assert.That((notConfirmation.ExitCode, notConfirmation.Stderr.Trim()), Is.EqualTo((1, $"sweep {id} is not a confirmation (sweep confirm starts one)")));
        var tooMany = CliRunner.Run(_coordinator.Address, "sweep", "confirm", "-i", id, "--seeds", "1000");
        Assert.That((tooMany.ExitCode, tooMany.Stderr.Trim()), Is.EqualTo((1, "--seeds takes 1 to 100 seeds per configuration (got 1000)")));
    }

    [Test]
    public void Cancelling_a_long_sweep_stops_its_running_trials()
    {
        var id = Submit(_coordinator.Address, Experiment(20, 120));
        NodeProcesses.WaitUntil(() => Json(_coordinator.Address, "sweep", "status", "-i", id).GetProperty("running").GetArrayLength() == 4,
            TimeSpan.FromSeconds(30), "four trials to run on the two workers' slots");
        var cancel = CliRunner.Run(_worker1.Address, "sweep", "cancel", "-i", id);
        Assert.That(cancel.ExitCode, Is.Zero, cancel.Stderr);
        NodeProcesses.WaitUntil(() => Json(_coordinator.Address, "sweep", "status", "-i", id).GetProperty("state").GetString() == "cancelled",
            TimeSpan.FromSeconds(30), "the sweep to end as cancelled");
        var status = Json(_coordinator.Address, "sweep", "status", "-i", id);
        Assert.That(status.GetProperty("summary").GetProperty("cancelled").GetInt32(), Is.EqualTo(4));
        Assert.That(status.GetProperty("pending").GetInt32(), Is.Zero);
        Assert.That(CliRunner.Run(_coordinator.Address, "sweep", "watch", "-i", id).ExitCode, Is.EqualTo(1), "watch exits 0 only for a completed sweep");
        NodeProcesses.WaitUntil(() => Json(_coordinator.Address, "node", "show").GetProperty("workers").EnumerateArray().All(w => w.GetProperty("cpu_busy").GetDouble() == 0),
            TimeSpan.FromSeconds(10), "the slots to be free again");
    }

    [Test]
    public void A_sweep_of_thousands_of_trials_answers_every_query_from_any_node()
    {
        // Release v1 sent whole sweeps between nodes: for this sweep over 780,000 bytes, past Akka's 128,000-byte frames.
        var file = Path.Combine(_nodes.Root, "thousands.yml");
        File.WriteAllText(file, Experiments.Sleep(3000, extra: "pruner: none"));
        var id = Submit(_worker1.Address, file);
        NodeProcesses.WaitUntil(() => TryJson(_worker1.Address, "sweep", "status", "-i", id)?.GetProperty("state").GetString() == "completed",
            TimeSpan.FromMinutes(5), "3,000 trials to complete");
        var listed = Json(_worker2.Address, "sweep", "list").GetProperty("sweeps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
        Assert.That(listed.GetProperty("done").GetInt32(), Is.EqualTo(3000));
        var status = Json(_worker2.Address, "sweep", "status", "-i", id);
        Assert.That(status.GetProperty("summary").GetProperty("completed").GetInt32(), Is.EqualTo(3000));
        var top = Json(_worker1.Address, "sweep", "trials", "-i", id, "-k", "5").GetProperty("trials").EnumerateArray().ToList();
        var all = Json(_worker2.Address, "sweep", "trials", "-i", id).GetProperty("trials").EnumerateArray().ToList();
        Assert.That(all.Select(t => t.GetProperty("index").GetInt32()), Is.EquivalentTo(Enumerable.Range(0, 3000)), "every trial once, page after page");
        var values = all.Select(t => t.GetProperty("metrics").GetProperty("value").GetDouble()).ToList();
        Assert.That(values, Is.Ordered.Descending);
        Assert.That(top.Select(t => t.GetProperty("index").GetInt32()), Is.EqualTo(all.Take(5).Select(t => t.GetProperty("index").GetInt32())));
        var page = Json(_worker2.Address, "sweep", "trials", "-i", id, "--offset", "2950", "--top", "100").GetProperty("trials").EnumerateArray();
        Assert.That(page.Select(t => t.GetProperty("index").GetInt32()), Is.EqualTo(all.Skip(2950).Select(t => t.GetProperty("index").GetInt32())), "the last page");
        Assert.That(Json(_worker1.Address, "sweep", "best", "-i", id).GetProperty("index").GetInt32(), Is.EqualTo(all[0].GetProperty("index").GetInt32()));
    }

    [Test]
    public void A_malformed_experiment_gets_its_located_errors_and_the_node_keeps_serving()
    {
        var bad = Path.Combine(_nodes.Root, "bad.yml");
        File.WriteAllText(bad, File.ReadAllText(CliRunner.Experiment("convnet.yml")).Replace("loguniform(0.0001, 0.01)", "loguniform(0, 0.01)"));
        var result = CliRunner.Run(_coordinator.Address, "sweep", "submit", "-f", bad);
        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Stderr, Does.Contain($"param_space.lr: loguniform needs lo > 0 (got 0) at {bad}:14:7"));
        Assert.That(CliRunner.Run(_coordinator.Address, "sweep", "list").ExitCode, Is.Zero);
    }

    [Test]
    public void Bad_usage_is_checked_against_the_servers_palettes()
    {
        var missing = CliRunner.Run(_coordinator.Address, "sweep", "status");
        Assert.That((missing.ExitCode, missing.Stderr.Trim()), Is.EqualTo((2, "sweepctl: Option '--id' is required.\nRun 'sweepctl sweep status --help' for usage.")));
        var typo = CliRunner.Run(_coordinator.Address, "sweep", "trials", "-i", "x", "--topp", "3");
        Assert.That(typo.ExitCode, Is.EqualTo(2));
        Assert.That(typo.Stderr, Does.Contain("sweepctl: Unrecognized command or argument '--topp'; did you mean '--top'?"));
        var palette = CliRunner.Run(_coordinator.Address, "sweeps", "list");
        Assert.That(palette.ExitCode, Is.EqualTo(2));
        Assert.That(palette.Stderr, Does.Contain("sweepctl: Unrecognized command or argument 'sweeps'; did you mean 'sweep'?").And.EndWith("Run 'sweepctl --help' for usage.\n"));
        var unknown = CliRunner.Run(_coordinator.Address, "sweep", "status", "-i", "00000000");
        Assert.That((unknown.ExitCode, unknown.Stderr.Trim()), Is.EqualTo((1, "no sweep has the id '00000000' (sweep list shows them)")));
    }

    [Test]
    public void The_repl_takes_commands_on_standard_input()
    {
        var result = CliRunner.RunProcess(new Dictionary<string, string>(), TimeSpan.FromSeconds(60), "help\nsweep submit --help\ncluster show\nsweep status\nexit\n", _coordinator.Address);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Stdout, Does.StartWith($"successfully connected to {_coordinator.Address}"));
        Assert.That(result.Stdout, Does.Contain($"[{_coordinator.Address}] sweepctl> "));
        Assert.That(result.Stdout, Does.Contain("sweep    Submit, follow and cancel sweeps"), "help lists the palettes the server described");
        Assert.That(result.Stdout, Does.Match(@"-f, --file <FILE> \(REQUIRED\) +The experiment YAML file"), "and each command's switches");
        Assert.That(result.Stderr, Does.Contain("Option '--id' is required."), "a bad command in the REPL is explained, and the REPL goes on");
        Assert.That(result.Stdout, Does.Contain("Count: 3 nodes"));
    }

    [Test]
    public void Curl_style_requests_work_and_large_bodies_are_refused()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{_coordinator.Address}/") };
        using var palettes = JsonDocument.Parse(http.GetStringAsync("api/palettes").Result);
        Assert.That(palettes.RootElement.GetProperty("palettes").EnumerateArray().Select(p => p.GetProperty("name").GetString()), Is.EqualTo(new[] { "sweep", "model", "cluster", "node" }));
        var list = http.PostAsync("api/sweep/list", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")).Result;
        Assert.That((int)list.StatusCode, Is.EqualTo(200));
        var huge = new StringContent($"{{\"switches\":{{\"file\":\"{new string('x', 2 << 20)}\"}}}}", System.Text.Encoding.UTF8, "application/json");
        // Expect: 100-continue, so the client waits for the verdict instead of racing the node that closes the connection after answering 413.
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/sweep/submit") { Content = huge, Headers = { ExpectContinue = true } };
        Assert.That((int)http.SendAsync(request).Result.StatusCode, Is.EqualTo(413));
        Assert.That(CliRunner.Run(_coordinator.Address, "cluster", "leader").ExitCode, Is.Zero, "the node still serves");
    }
}
