using System.Net;
using System.Text;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A web page on another origin, or a name rebound to 127.0.0.1, cannot drive a token-less loopback node through the user's
/// browser (a submit runs programs on the workers); sweepctl, curl and the node's own dashboard still can.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class EndpointGuardTests
{
    private static NodeProcesses _nodes = null!;
    private static NodeProcesses.Node _node = null!;

    [OneTimeSetUp]
    public static void StartNode()
    {
        _nodes = new NodeProcesses();
        _node = _nodes.Start("coordinator,worker");
    }

    [OneTimeTearDown]
    public static void StopNodes() => _nodes.Dispose();

    private static HttpResponseMessage Send(string method, string path, string? body = null, string? contentType = "application/json",
        string? origin = null, string? host = null)
    {
        using var http = new HttpClient();
        var request = new HttpRequestMessage(new HttpMethod(method), $"http://{_node.Address}{path}");
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType ?? "text/plain");
        if (contentType is null && request.Content is not null) request.Content.Headers.ContentType = null;
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (host is not null) request.Headers.Host = host;
        return http.Send(request);
    }

    private static string Sweep(string name) => System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["switches"] = new Dictionary<string, string>
        {
            ["file"] = $"name: {name}\nnum_trials: 1\nparams: {{seconds: 0}}\nparam_space: {{value: uniform(0, 1)}}\nmetric: {{name: value, direction: maximize}}\nrun: builtin/sleep\n",
        },
    });

    [TestCase("text/plain", TestName = "A no-cors fetch's text/plain body starts nothing")]
    [TestCase("application/x-www-form-urlencoded", TestName = "An auto-submitted form starts nothing")]
    [TestCase(null, TestName = "A body without a Content-Type starts nothing")]
    public void A_state_change_needs_a_json_content_type(string? contentType)
    {
        using var response = Send("POST", "/api/sweep/submit", Sweep("csrf"), contentType);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.Content.ReadAsStringAsync().Result, Does.Contain("Content-Type: application/json"));
        Assert.That(CliRunner.Run(_node.Address, "sweep", "list").Stdout, Does.Not.Contain("csrf"), "no sweep was started");
    }

    [TestCase("http://evil.example")]
    [TestCase("http://127.0.0.1:1")]
    [TestCase("null")]
    public void A_page_on_another_origin_cannot_change_the_node(string origin)
    {
        using var response = Send("POST", "/api/sweep/submit", Sweep("cross-origin"), origin: origin);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.Content.ReadAsStringAsync().Result, Does.Contain($"a request from the page at {origin} may not change this node"));
    }

    [Test]
    public void The_nodes_own_dashboard_and_sweepctl_are_served()
    {
        using var ownPage = Send("POST", "/api/sweep/list", "{}", origin: $"HTTP://{_node.Address}");
        Assert.That(ownPage.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the scheme compares case-insensitively");
        Assert.That(ownPage.Headers.GetValues("X-Frame-Options"), Is.EqualTo(new[] { "DENY" }));
        Assert.That(ownPage.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
        Assert.That(CliRunner.Run(_node.Address, "sweep", "list").ExitCode, Is.Zero);
    }

    [Test]
    public void The_dashboards_files_are_served_with_validators_and_nothing_else_is()
    {
        using var script = Send("GET", "/dashboard/dashboard.js");
        Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(script.Content.Headers.ContentType!.ToString(), Is.EqualTo("text/javascript; charset=utf-8"));
        Assert.That(script.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }), "the guard's headers are on the assets too");
        var tag = script.Headers.ETag!.Tag;
        using var again = new HttpClient().Send(new HttpRequestMessage(HttpMethod.Get, $"http://{_node.Address}/dashboard/dashboard.js") { Headers = { { "If-None-Match", tag } } });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotModified), "a browser's cached copy is still good");
        using (var page = Send("GET", "/"))
        {
            Assert.That(page.Content.Headers.ContentType!.ToString(), Is.EqualTo("text/html; charset=utf-8"));
            Assert.That(page.Content.ReadAsStringAsync().Result, Does.Contain("/dashboard/uPlot.iife.min.js"));
        }
        using (var plot = Send("GET", "/dashboard/uPlot.iife.min.js"))
            Assert.That(plot.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        foreach (var path in new[] { "/dashboard/nosuch.js", "/dashboard/../SweepCluster.Node.dll", "/dashboard/%2e%2e/appsettings.json", "/dashboard/Microsoft.Extensions.FileProviders.Embedded.Manifest.xml" })
        {
            using var missing = Send("GET", path);
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), path);
        }
    }

    [Test]
    public void A_name_rebound_to_loopback_reaches_nothing()
    {
        using var page = Send("GET", "/", host: "attacker.example:9110");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(page.Content.ReadAsStringAsync().Result, Does.Contain("answers only to a loopback address"));
        using var command = Send("POST", "/api/sweep/list", "{}", host: "attacker.example");
        Assert.That(command.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var probe = Send("GET", "/health/live", host: "attacker.example");
        Assert.That(probe.StatusCode, Is.EqualTo(HttpStatusCode.OK), "probes tell nothing and stay open");
        using var local = Send("GET", "/", host: $"localhost:{_node.CmdPort}");
        Assert.That(local.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void An_address_the_node_cannot_listen_on_ends_it_with_one_line()
    {
        var store = Directory.CreateTempSubdirectory("cmd-host-").FullName;
        try
        {
            var result = CliRunner.RunProcess(new Dictionary<string, string>(), TimeSpan.FromSeconds(60), null,
                "node", "start", "--cmd-host", "::ffff:127.0.0.1", "--port", "0", "--cmd-port", "0", "--gpus", "none", "--store", store);
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.Contain("sweepctl: cannot serve commands on ::ffff:127.0.0.1:0: Invalid argument; give --cmd-host an address of this machine"));
            Assert.That(result.Stderr, Does.Not.Contain("   at ").And.Not.Contain("Exception"), "no stack trace");
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    [Test]
    public void A_damaged_journal_ends_the_node_with_one_line_naming_it()
    {
        var store = Directory.CreateTempSubdirectory("damaged-journal-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(store, "journal.db"), [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 37))]);
            var result = CliRunner.RunProcess(new Dictionary<string, string>(), TimeSpan.FromSeconds(60), null,
                "node", "start", "--port", "0", "--cmd-port", "0", "--gpus", "none", "--store", store);
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.Contain($"sweepctl: the journal {Path.Combine(store, "journal.db")} is damaged or cannot be opened")
                .And.Contain("restore it from a backup"));
            Assert.That(result.Stderr, Does.Not.Contain("   at "), "no stack trace");
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    [Test]
    public void A_postgresql_journal_that_does_not_answer_ends_the_node_with_one_line_naming_it()
    {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        var result = CliRunner.RunProcess(new Dictionary<string, string>(), TimeSpan.FromSeconds(60), null, "node", "start", "--port", "0", "--cmd-port", "0",
            "--gpus", "none", "--store", Path.Combine(_nodes.Root, "unreachable-journal"), "--journal", "Host=127.0.0.1;Port=1;Database=sweeps;Username=sweep");
        Assert.That(result.ExitCode, Is.EqualTo(1), result.Stderr);
        Assert.That(result.Stderr, Does.Contain("sweepctl: the journal, PostgreSQL database sweeps on 127.0.0.1, cannot be reached (").And.Contain("check --journal"));
        Assert.That(result.Stderr, Does.Not.Contain("   at "), "no stack trace");
    }
    [TestCase("store-is-a-file", "--store {file}", "--store {file}: cannot make or use the store folder")]
    [TestCase("journal-garbage", "--journal notakey", "--journal: not a PostgreSQL connection string; write Host=HOST;Database=DB")]
    public void A_store_or_journal_setting_that_cannot_work_ends_the_node_with_one_line(string name, string setting, string expected)
    {
        var file = Path.Combine(_nodes.Root, name);
        File.WriteAllText(file, "not a folder");
        var result = CliRunner.Run(["node", "start", "--port", "0", "--cmd-port", "0", "--gpus", "none", .. setting.Replace("{file}", file).Split(' ')]);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.InvalidInput), result.Stderr);
        Assert.That(result.Stderr.Trim(), Does.StartWith("sweepctl: " + expected.Replace("{file}", file)));
        Assert.That(result.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no trace");
    }

    [Test]
    public void A_code_package_that_is_not_what_it_claims_is_refused_and_the_node_goes_on()
    {
        var bytes = new byte[] { 80, 75, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }; // an empty zip
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        HttpResponseMessage Put(string name, byte[] body, string contentType = "application/zip")
        {
            using var http = new HttpClient();
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            return http.PutAsync($"http://{_node.Address}/api/code/{name}", content).Result;
        }
        using (var notAHash = Put("..%2F..%2Fetc", bytes))
            Assert.That(notAHash.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        using (var wrong = Put(new string('0', 64), bytes))
        {
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(wrong.Content.ReadAsStringAsync().Result, Does.Contain("do not hash to"));
        }
        using (var form = Put(hash, bytes, "text/plain"))
            Assert.That(form.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a page's no-cors PUT is refused like its POST");
        using (var good = Put(hash, bytes))
            Assert.That(good.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var unknown = Send("POST", "/api/sweep/submit", Sweep("unknown-package").Replace("\"file\"", $"\"code-package\":\"{new string('2', 64)}\",\"file\""));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(unknown.Content.ReadAsStringAsync().Result, Does.Contain("this node holds no code package"));
        using var since = Send("POST", "/api/sweep/logs", """{"switches": {"id": "nosuch00", "trial": "0", "since": "-1,x"}}""");
        Assert.That(since.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(CliRunner.Run(_node.Address, "sweep", "list").ExitCode, Is.Zero, "the node goes on serving");
    }

    [Test]
    public void A_submission_whose_network_lacks_a_parameter_is_refused_before_any_trial_runs()
    {
        var file = Path.Combine(_nodes.Root, "no-channels.yml");
        File.WriteAllText(file, File.ReadAllText(CliRunner.Experiment("convnet.yml")).Replace("out_channels:", "channels:"));
        var refused = CliRunner.Run(_node.Address, "sweep", "submit", "-f", file);
        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(refused.Stderr, Does.Contain("run: convnet cannot train trial 0: out_channels: the trial has no value for it"));
        Assert.That(CliRunner.Run(_node.Address, "sweep", "list").Stdout, Does.Not.Contain("Simple CNN"), "no sweep was started");
    }

    [TestCase("""{"switches": {"id": "nosuch00", "top": "-3"}}""", "--top needs a whole number >= 1 (got '-3')")]
    [TestCase("""{"switches": {"id": "nosuch00", "state": "done"}}""", "--state takes pending, running, completed, failed, pruned or cancelled (got 'done')")]
    [TestCase("""{"switches": {"id": "nosuch00", "rm": "-rf"}}""", "sweep trials takes no --rm (it takes --id, --top, --offset, --state, --order, --curves)")]
    [TestCase("""{"switches": {"top": "3"}}""", "sweep trials needs --id")]
    public void A_switch_value_that_does_not_fit_is_refused_before_the_command_runs_and_the_node_goes_on(string body, string error)
    {
        using var refused = Send("POST", "/api/sweep/trials", body);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(System.Text.Json.JsonDocument.Parse(refused.Content.ReadAsStringAsync().Result).RootElement.GetProperty("error").GetString(), Is.EqualTo(error));
        Assert.That(CliRunner.Run(_node.Address, "sweep", "list").ExitCode, Is.Zero, "the node goes on serving");
    }
}
