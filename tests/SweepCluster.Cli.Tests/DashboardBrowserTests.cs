using System.Diagnostics;
using System.Net;
using System.Text.Json;
using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// The dashboard every node serves, in a real browser: Debian's chromium driven by playwright-core from npm
/// (tests/browser/dashboard.mjs; make test-deps installs both) against a node running a sweep. The screenshots are kept
/// as the test's attachments.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
[Category(TestKinds.Browser)]
public class DashboardBrowserTests
{
    private static readonly string Scripts = Path.Combine(RepoPaths.Root, "tests", "browser");
    private NodeProcesses _nodes = null!;
    private NodeProcesses.Node _node = null!;

    [OneTimeSetUp]
    public void StartNode()
    {
        Assert.That(File.Exists("/usr/bin/chromium"), "Debian's chromium is missing: make test-deps installs it");
        Assert.That(Directory.Exists(Path.Combine(Scripts, "node_modules", "playwright-core")), "playwright-core is missing: make test-deps installs it (npm ci in tests/browser)");
        _nodes = new NodeProcesses();
        _node = _nodes.Start("coordinator,worker", extra: "--cpu-slots 2");
    }

    [OneTimeTearDown]
    public void StopNode() => _nodes.Dispose();

    [Test]
    public void The_dashboard_lists_the_sweep_shows_its_trials_and_plots_follows_it_live_and_opens_a_trial()
    {
        // 60 trials of 1.5 s on two slots: the sweep runs for about 45 s, long enough to watch a trial finish.
        var file = Path.Combine(_nodes.Root, "dashboard.yml");
        File.WriteAllText(file, Experiments.Sleep(60, 1.5, steps: 2, seed: 5, extra: "pruner: none").Replace("  value: uniform(0, 1)", "  value: uniform(0, 1)\n  kind: choice(['a', 'b'])"));
        var logged = SubmitLoggingProgram();
        var id = Submit(_node.Address, file);
        NodeProcesses.WaitUntil(() => Json(_node.Address, "sweep", "status", "-i", id).GetProperty("done").GetInt32() >= 2, TimeSpan.FromSeconds(60), "two trials to end");
        var status = Json(_node.Address, "sweep", "status", "-i", id);
        Assert.That(status.GetProperty("estimated_end").GetDateTimeOffset(), Is.GreaterThan(DateTimeOffset.UtcNow).And.LessThan(DateTimeOffset.UtcNow.AddMinutes(5)),
            "58 trials of 1.5 s to go on two slots: about 45 s");
        Assert.That(CliRunner.Run(_node.Address, "sweep", "status", "-i", id).Stdout, Does.Match(@"\| about \d+ (s|min) left"), "the headline says it too");
        var shots = Path.Combine(TestContext.CurrentContext.WorkDirectory, "dashboard-screenshots");
        Directory.CreateDirectory(shots);

        var seen = RunBrowser($"http://{_node.Address}", id, shots, logged);

        Assert.That(seen.GetProperty("listed").GetInt32(), Is.GreaterThanOrEqualTo(1), "the sweeps page lists the sweep");
        var rows = seen.GetProperty("row_indices").EnumerateArray().Select(i => i.GetInt32()).ToList();
        Assert.That(rows, Is.Not.Empty.And.SubsetOf(Enumerable.Range(0, 60)), "the trial table holds the sweep's trials");
        Assert.That(seen.GetProperty("row_values").EnumerateArray().Select(v => v.GetDouble()), Is.Not.Empty.And.Ordered.Descending, "best first, as sweep trials orders them");
        Assert.That(seen.GetProperty("painted_pixels").GetInt32(), Is.GreaterThan(1000), "the history plot drew on its canvas");
        Assert.That(seen.GetProperty("plots").EnumerateArray().Select(p => p.GetString()), Is.EqualTo(new[] { "plot-history", "plot-slice", "plot-curves", "plot-parallel" }));
        Assert.That(seen.GetProperty("importance").EnumerateArray().Select(p => p.GetString()), Is.EquivalentTo(new[] { "value", "kind" }), "the searched parameters' importance");
        Assert.That(seen.GetProperty("tooltip").GetString(), Does.Match(@"^trial \d+ \(completed\): [\d.]+\nvalue = [\d.]+\nkind = [ab]$"), "hovering a point shows that trial's parameters");
        Assert.That(seen.GetProperty("eta").GetString(), Does.Match(@"^about \d+ (s|min) left$"), "the sweep page says when the sweep should end");
        Assert.That(seen.GetProperty("done_after").GetString(), Is.Not.EqualTo(seen.GetProperty("done_before").GetString()), "the page followed a trial's end");
        Assert.That(seen.GetProperty("reloaded").GetBoolean(), Is.False, "without a reload");
        Assert.That(seen.GetProperty("plot_kept").GetBoolean(), "the plot took the new points in place, not replaced");
        Assert.That(seen.GetProperty("tooltip_after_update").GetBoolean(), "so the tooltip of the point hovered stays up");
        Assert.That(seen.GetProperty("streamed").GetBoolean(), "told by the node's stream of the sweep's changes");
        Assert.That(seen.GetProperty("trial_url").GetString(), Does.EndWith($"#/sweep/{id}/trial/{rows[0]}"), "a click on a row opens that trial");
        Assert.That(seen.GetProperty("trial_heading").GetString(), Is.EqualTo($"Trial {rows[0]} of {id}"));
        Assert.That(seen.GetProperty("trial_params").EnumerateArray().Select(p => p.GetString()), Is.EqualTo(new[] { "seconds", "steps", "value", "kind" }));
        var log = seen.GetProperty("log").GetString()!;
        Assert.That(log, Does.Contain("step 3 of <img src=x onerror=\"document.title='owned'\">"), "a program's trial page shows its log's last lines");
        Assert.That(log, Does.Contain("stderr: a warning on standard error"), "standard error too, marked");
        Assert.That(seen.GetProperty("title").GetString(), Is.Not.EqualTo("owned"), "a log line is shown as text, never run as the page's markup");
        Assert.That(seen.GetProperty("lineage").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "SweepCluster", "runtime" }),
            "the trial page says what the trial ran with (a program that read no data: the release and its interpreter)");
        Assert.That(seen.GetProperty("external_requests").GetArrayLength(), Is.Zero, "nothing is fetched from anywhere but the node");
        foreach (var shot in new[] { "sweeps.png", "sweep.png", "trial.png", "log.png" })
        {
            var path = Path.Combine(shots, shot);
            Assert.That(new FileInfo(path).Length, Is.GreaterThan(10_000), $"{shot} was taken");
            TestContext.AddTestAttachment(path);
        }
    }

    [Test]
    public void A_node_with_a_token_serves_the_dashboard_only_to_those_who_give_it()
    {
        var token = "dashboard-test-token";
        var node = _nodes.Start("coordinator,worker", extra: "--cmd-host 0.0.0.0", environment: new Dictionary<string, string> { ["SWEEP_CMD_TOKEN"] = token }, waitForEndpoint: false);
        using var http = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = new Uri($"http://127.0.0.1:{node.CmdPort}/") };
        NodeProcesses.WaitUntil(() => TryGet(http, "dashboard/dashboard.js") is not null, TimeSpan.FromSeconds(60), "the endpoint to answer");
        Assert.That(TryGet(http, ""), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(TryGet(http, "dashboard/dashboard.js"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(TryGet(http, "?token=wrong"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(TryGet(http, $"?token={token}"), Is.EqualTo(HttpStatusCode.OK), "the token in the address opens the page");
        Assert.That(TryGet(http, "dashboard/dashboard.js"), Is.EqualTo(HttpStatusCode.OK), "and the cookie it set opens the rest");
        using var post = http.PostAsync("api/sweep/list", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")).Result;
        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the API takes the cookie too");
        using var stranger = new HttpClient { BaseAddress = http.BaseAddress };
        Assert.That(TryGet(stranger, "api/sweeps/ab12cd34/events"), Is.EqualTo(HttpStatusCode.Unauthorized), "a sweep's stream of progress needs the token");
        Assert.That(TryGet(http, "api/sweeps/ab12cd34/events"), Is.Not.EqualTo(HttpStatusCode.Unauthorized), "and the page's stream goes with the cookie");
    }

    /// <summary>A sweep of one trial of the user's program, whose log holds markup: the page must show it as text.</summary>
    private string SubmitLoggingProgram()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_nodes.Root, "logging")).FullName;
        File.WriteAllText(Path.Combine(folder, "noisy.py"), """
            import json, sys
            print("a warning on standard error", file=sys.stderr)
            for step in range(1, 4):
                print(f"step {step} of <img src=x onerror=\"document.title='owned'\">", flush=True)
            print(json.dumps({"score": 0.5}))
            """);
        var file = Path.Combine(folder, "noisy.yml");
        File.WriteAllText(file, """
            name: noisy
            num_trials: 1
            params: {x: 1}
            metric: {name: score, direction: maximize}
            run: [noisy.py]
            """);
        var id = Submit(_node.Address, file);
        NodeProcesses.WaitUntil(() => Json(_node.Address, "sweep", "status", "-i", id).GetProperty("done").GetInt32() == 1, TimeSpan.FromSeconds(60), "the program's trial to end");
        return id;
    }

    private static HttpStatusCode? TryGet(HttpClient http, string path)
    {
        try
        {
            using var response = http.GetAsync(path).Result;
            return response.StatusCode;
        }
        catch (AggregateException e) when (e.InnerException is HttpRequestException)
        {
            return null;
        }
    }

    private static JsonElement RunBrowser(string baseUrl, string sweep, string shots, string loggedSweep)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = Scripts, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["dashboard.mjs", baseUrl, sweep, shots, loggedSweep]) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the browser script did not finish in 3 minutes");
        }
        Assert.That(process.ExitCode, Is.Zero, $"the browser script failed:\n{stderr.Result}");
        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }
}
