using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SweepCluster.Cli.Tests;

/// <summary><c>sweepctl report</c>: the study's report from run folders, checked with Debian's pandas and against each sweep.json.</summary>
[NonParallelizable]
[Category(Peers.Category)]
public partial class ReportTests
{
    private string _dir = "";

    [OneTimeSetUp]
    public void MakeFolder() => _dir = Directory.CreateTempSubdirectory("report-test-").FullName;

    [OneTimeTearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    /// <summary>A sleep sweep with a log-scaled, a categorical and a list parameter, curves of three steps, some trials pruned.</summary>
    private string SleepSweep(string name, int seed)
    {
        var path = Path.Combine(_dir, $"{name}.yml");
        File.WriteAllText(path, $"""
            name: {name}
            num_trials: 16
            sampler: random
            pruner: median
            seed: {seed}
            params:
              seconds: 0
              steps: 3
            param_space:
              value: loguniform(0.01, 1)
              kind: choice(['a', 'b', 'c'])
              sizes: [randint(1, 4), randint(5, 8)]
            metric:
              name: value
              direction: maximize
            run: builtin/sleep
            """);
        var run = CliRunner.Run("run", path, "--workers", "2", "--out", Path.Combine(_dir, "runs"), "--format", "json");
        Assert.That(run.ExitCode, Is.Zero, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.GetProperty("run_directory").GetString()!;
    }

    /// <summary>Two convnet trials of one epoch on a tiny generated data set: a trainer that writes confusion matrices.</summary>
    private string ConvnetSweep()
    {
        var data = Path.Combine(_dir, "data");
        Assert.That(CliRunner.Run("data", "generate", "--out", data, "--train", "96", "--test", "48", "--seed", "3").ExitCode, Is.Zero);
        var run = CliRunner.Run("run", CliRunner.Experiment("convnet.yml"), "--trials", "2", "--epochs", "1", "--data", data, "--out", Path.Combine(_dir, "runs"), "--format", "json");
        Assert.That(run.ExitCode, Is.Zero, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.GetProperty("run_directory").GetString()!;
    }

    [GeneratedRegex(@"^\| (?<metric>[^|]+) \| (?<best>[-\d.]+) \| (?<mean>[-\d.]+) \| (?<std>[-\d.]+) \| (?<completed>\d+) \| (?<failed>\d+) \| (?<pruned>\d+) \|$", RegexOptions.Multiline)]
    private static partial Regex ResultsRow();

    [Test]
    public void A_report_of_run_folders_holds_every_trial_the_studys_table_and_every_figure()
    {
        var folders = new[] { SleepSweep("first", 1), SleepSweep("second", 2) };
        var report = Path.Combine(_dir, "report");
        var result = CliRunner.Run("report", folders[0], folders[1], "--out", report);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);

        var documents = folders.Select(f => JsonDocument.Parse(File.ReadAllText(Path.Combine(f, "sweep.json"))).RootElement).ToList();
        // pandas reads the CSV as it is: one row per trial, the dotted parameter columns, the metric as numbers.
        var read = Peers.RunPython("""
            import json, sys, pandas
            d = pandas.read_csv(sys.argv[1])
            print(json.dumps({"rows": len(d), "columns": list(d.columns), "completed": int((d.status == "completed").sum()),
                              "sum": float(d.value.sum()), "sweeps": sorted(d.sweep.unique().tolist()), "kinds": sorted(d.kind.dropna().unique().tolist())}))
            """, Path.Combine(report, "trials.csv"));
        var csv = JsonDocument.Parse(read).RootElement;
        var trials = documents.SelectMany(d => d.GetProperty("trials").EnumerateArray()).ToList();
        Assert.That(csv.GetProperty("rows").GetInt32(), Is.EqualTo(trials.Count));
        Assert.That(csv.GetProperty("columns").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[]
        {
            "sweep", "index", "status", "seconds", "steps", "value", "kind", "sizes.0", "sizes.1", "metrics.value", "epochs_run", "duration_seconds", "node", "device", "reason",
        }), "the parameter value and the metric value are told apart");
        Assert.That(csv.GetProperty("completed").GetInt32(), Is.EqualTo(trials.Count(t => t.GetProperty("status").GetString() == "completed")));
        Assert.That(csv.GetProperty("sum").GetDouble(), Is.EqualTo(trials.Sum(t => t.GetProperty("params").GetProperty("value").GetDouble())).Within(1e-9));
        Assert.That(csv.GetProperty("sweeps").EnumerateArray().Select(s => s.GetString()), Is.EquivalentTo(documents.Select(d => d.GetProperty("id").GetString())));
        Assert.That(csv.GetProperty("kinds").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "a", "b", "c" }));

        // The study's table of each sweep: the same figures as its sweep.json's summary.
        var markdown = File.ReadAllText(Path.Combine(report, "report.md"));
        var rows = ResultsRow().Matches(markdown).Where(m => m.Groups["metric"].Value == "value (maximize)").ToList();
        Assert.That(rows, Has.Count.EqualTo(2), "one results table per sweep");
        for (var i = 0; i < 2; i++)
        {
            var summary = documents[i].GetProperty("summary");
            double Cell(string name) => double.Parse(rows[i].Groups[name].Value, CultureInfo.InvariantCulture);
            Assert.That(Cell("best"), Is.EqualTo(summary.GetProperty("max").GetDouble()).Within(5e-5));
            Assert.That(Cell("mean"), Is.EqualTo(summary.GetProperty("mean").GetDouble()).Within(5e-5));
            Assert.That(Cell("std"), Is.EqualTo(summary.GetProperty("std").GetDouble()).Within(5e-5));
            Assert.That((Cell("completed"), Cell("failed"), Cell("pruned")), Is.EqualTo(((double)summary.GetProperty("completed").GetInt32(),
                (double)summary.GetProperty("failed").GetInt32(), (double)summary.GetProperty("pruned").GetInt32())));
        }
        Assert.That(markdown, Does.Contain("## Side by side").And.Contain("PED-ANOVA"));
        Assert.That(File.ReadAllText(Path.Combine(report, "report.html")), Does.Contain("<table>").And.Contain(rows[0].Groups["best"].Value));

        foreach (var id in documents.Select(d => d.GetProperty("id").GetString()))
            foreach (var figure in new[] { "history", "importance", "slice-value", "slice-kind", "box-kind", "slice-sizes-0", "curves", "parallel" })
                AssertFigure(report, $"{id}-{figure}");
        Assert.That(Regex.Matches(markdown, @"\]\(figures/[^)]+\.svg\)").Count, Is.EqualTo(Directory.GetFiles(Path.Combine(report, "figures"), "*.svg").Length),
            "every figure is in the report");
    }

    [Test]
    public void The_best_trials_confusion_matrices_are_labelled_with_counts()
    {
        var folder = ConvnetSweep();
        var report = Path.Combine(_dir, "convnet-report");
        Assert.That(CliRunner.Run("report", folder, "--out", report).ExitCode, Is.Zero);
        var id = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "sweep.json"))).RootElement.GetProperty("id").GetString();
        AssertFigure(report, $"{id}-confusion");
        var svg = File.ReadAllText(Path.Combine(report, "figures", $"{id}-confusion.svg"));
        Assert.That(svg, Does.Contain("iron").And.Contain("proton").And.Contain("%"));
        var best = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "sweep.json"))).RootElement.GetProperty("best").GetProperty("artifacts").GetString()!;
        var counts = JsonDocument.Parse(File.ReadAllText(Path.Combine(best, "confusion.json"))).RootElement.GetProperty("test_counts");
        Assert.That(counts.EnumerateArray().SelectMany(r => r.EnumerateArray()).Sum(c => c.GetInt64()), Is.EqualTo(48), "every test shower counted once");
        var texts = Regex.Matches(svg, "<text[^>]*>(.*?)</text>", RegexOptions.Singleline).Select(m => m.Groups[1].Value.Trim()).ToList();
        Assert.That(texts, Is.SupersetOf(counts.EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(c => c.GetInt64().ToString("N0", CultureInfo.InvariantCulture))),
            "each test count is printed in its cell");
    }

    [Test]
    public void A_folder_that_is_no_run_folder_is_refused_by_name()
    {
        var result = CliRunner.Run("report", _dir, "--out", Path.Combine(_dir, "nothing"));
        Assert.That((result.ExitCode, result.Stderr.Trim()), Is.EqualTo((2, $"{_dir} is not the run folder of an ended sweep: cannot read {_dir}/sweep.json: there is no such file")));
    }

    [Test]
    public void A_report_folder_that_cannot_be_made_is_named_without_a_stack_trace()
    {
        var folder = SleepSweep("blocked", 5);
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a folder");
        var result = CliRunner.Run("report", folder, "--out", Path.Combine(file, "report"));
        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Does.StartWith($"cannot write the report into {Path.Combine(file, "report")}: "));
        Assert.That(result.Stderr, Does.Not.Contain("   at "), "no stack trace");
    }

    private static void AssertFigure(string report, string name)
    {
        var png = File.ReadAllBytes(Path.Combine(report, "figures", name + ".png"));
        Assert.That(png.Length, Is.GreaterThan(2000), $"{name}.png has a picture");
        Assert.That(png[..4], Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }), $"{name}.png is a PNG");
        var svg = File.ReadAllText(Path.Combine(report, "figures", name + ".svg"));
        Assert.That(svg, Does.Contain("<svg").And.Contain("</svg>"), $"{name}.svg is an SVG");
    }
}
