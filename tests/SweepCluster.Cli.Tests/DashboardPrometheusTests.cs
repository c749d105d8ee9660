using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// The Grafana dashboard against a real Prometheus (Debian's, installed by make test): a node runs a short sweep,
/// Prometheus scrapes its /metrics every second, and every PromQL expression of the dashboard returns data.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
[Category(Peers.Category)]
public partial class DashboardPrometheusTests
{
    private static readonly string Dashboard = Path.Combine(RepoPaths.Root, "infra", "grafana", "dashboards", "sweepcluster.json");

    [Test]
    public void Every_panel_of_the_dashboard_shows_data_from_a_real_sweep()
    {
        using var nodes = new NodeProcesses();
        var node = nodes.Start("coordinator,worker", extra: "--cpu-slots 2");
        var config = Path.Combine(nodes.Root, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: sweepcluster
                metrics_path: /metrics
                static_configs:
                  - targets: ["{node.Address}"]
            """);
        using var prometheus = Process.Start(new ProcessStartInfo("prometheus",
            $"--config.file={config} --storage.tsdb.path={nodes.Root}/tsdb --web.listen-address=127.0.0.1:0")
        { RedirectStandardError = true, RedirectStandardOutput = true })!;
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();
        try
        {
            var experiment = Path.Combine(nodes.Root, "steps.yml");
            File.WriteAllText(experiment, "name: dash\nnum_trials: 6\nsampler: random\npruner: none\nparams:\n  seconds: 1.5\n  steps: 3\nparam_space:\n  value: uniform(0, 1)\nmetric:\n  name: value\n  direction: maximize\nrun: builtin/sleep\n");
            var id = CliRunner.Run(node.Address, "sweep", "submit", "-f", experiment).Stdout.Trim();
            Assert.That(CliRunner.Run(node.Address, "sweep", "watch", "-i", id).ExitCode, Is.Zero);
            var prometheusPort = 0;
            NodeProcesses.WaitUntil(() => (prometheusPort = ListeningPorts.Of(prometheus.Id).FirstOrDefault()) != 0, TimeSpan.FromSeconds(30), "Prometheus to listen");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{prometheusPort}/") };
            NodeProcesses.WaitUntil(() => Query(http, $"count_over_time(sweep_trials_ended_total{{sweep_id=\"{id}\",status=\"completed\"}}[1m])").Any(r => double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= 4)
                && Query(http, $"sweep_trials_ended_total{{sweep_id=\"{id}\",status=\"completed\"}} == 6").Count > 0,
                TimeSpan.FromSeconds(60), "Prometheus to hold several scrapes of the finished sweep");

            using var targets = JsonDocument.Parse(http.GetStringAsync("api/v1/targets").Result);
            var target = targets.RootElement.GetProperty("data").GetProperty("activeTargets")[0];
            Assert.That(target.GetProperty("health").GetString(), Is.EqualTo("up"));
            Assert.That(target.GetProperty("lastError").GetString(), Is.Empty, "the scrape has no errors");

            var expressions = Expressions().ToList();
            Assert.That(expressions, Has.Count.GreaterThanOrEqualTo(15));
            var empty = expressions.Select(e => e.Replace("$sweep", id).Replace("$node", Regex.Escape($"akka.tcp://sweep@127.0.0.1:{node.Port}").Replace(@"\", @"\\"))
                    .Replace("$__rate_interval", "30s").Replace("$__range", "5m"))
                .Where(e => Query(http, e).Count == 0).ToList();
            Assert.That(empty, Is.Empty, "every panel's query returns at least one series");

            using var names = JsonDocument.Parse(http.GetStringAsync("api/v1/label/__name__/values").Result);
            var known = names.RootElement.GetProperty("data").EnumerateArray().Select(n => n.GetString()).ToHashSet();
            using var labels = JsonDocument.Parse(http.GetStringAsync("api/v1/labels").Result);
            var labelNames = labels.RootElement.GetProperty("data").EnumerateArray().Select(n => n.GetString()).ToHashSet();
            var used = expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).Where(n => !labelNames.Contains(n)).ToHashSet();
            Assert.That(used, Has.Count.GreaterThanOrEqualTo(10));
            Assert.That(used.Where(n => !known.Contains(n)), Is.Empty, "every metric the dashboard names exists");
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            prometheus.WaitForExit();
        }
    }

    [Test]
    public void Every_panel_has_a_unit_and_a_description_and_the_dashboard_fixed_ids()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Dashboard));
        var root = doc.RootElement;
        Assert.That(root.GetProperty("uid").GetString(), Is.EqualTo("sweepcluster"));
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString());
        Assert.That(variables, Is.EquivalentTo(new[] { "sweep", "node" }));
        var panels = root.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.That(panels.Select(p => p.GetProperty("datasource").GetProperty("uid").GetString()), Has.All.EqualTo("sweepcluster-prometheus"));
        Assert.That(panels.Select(p => p.GetProperty("description").GetString()), Has.All.Not.Empty);
        Assert.That(panels.Select(p => p.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("unit").GetString()), Has.All.Not.Empty);
        var rows = root.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() == "row").Select(p => p.GetProperty("title").GetString());
        Assert.That(rows, Is.EqualTo(new[] { "Sweeps", "Workers", "Cluster" }));
        var datasource = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "grafana", "provisioning", "datasources", "prometheus.yml"));
        Assert.That(datasource, Does.Contain("uid: sweepcluster-prometheus"));
    }

    private static IEnumerable<string> Expressions()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Dashboard));
        return doc.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .ToList();
    }

    private static List<JsonElement> Query(HttpClient http, string promql)
    {
        using var response = http.GetAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}").Result;
        using var doc = JsonDocument.Parse(response.Content.ReadAsStringAsync().Result);
        Assert.That(doc.RootElement.GetProperty("status").GetString(), Is.EqualTo("success"), $"{promql}: {doc.RootElement}");
        return doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    [GeneratedRegex(@"\bsweep_[a-z_]+\b(?=\s*[{\[)])")]
    private static partial Regex MetricName();
}
