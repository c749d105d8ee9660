using System.Text.Json;
using static SweepCluster.Cli.Tests.ClusterChecks;
using static SweepCluster.Cli.Tests.ClusterCommands;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A sweep's progress pushed as server-sent events (<c>GET /api/sweeps/ID/events</c>, what <c>sweep watch</c> reads): a status at
/// once, one as trials end, and on through a coordinator failover on the one connection, to the sweep's end.
/// </summary>
[NonParallelizable]
[Category(TestKinds.Process)]
public class SweepEventsTests
{
    private NodeProcesses _nodes = null!;

    [SetUp]
    public void CreateNodes() => _nodes = new NodeProcesses();

    [TearDown]
    public void StopNodes()
    {
        _nodes.ReportIfFailed();
        _nodes.Dispose();
    }

    private sealed record Event(string Name, JsonElement? Data, DateTimeOffset At);

    [Test]
    public void A_stream_sends_the_status_at_once_then_as_trials_end_and_closes_after_the_end()
    {
        var node = _nodes.Start("coordinator,worker", extra: "--cpu-slots 1");
        var id = Submit(node.Address, SleepExperiment(_nodes.Root, 3, 1, seed: 5, steps: 1));
        var opened = DateTimeOffset.UtcNow;
        var events = Read(node, id, TimeSpan.FromSeconds(60));

        Assert.That(events[0].Name, Is.EqualTo("status"));
        Assert.That(events[0].At - opened, Is.LessThan(TimeSpan.FromSeconds(5)), "the first status comes on connecting");
        var done = events.Where(e => e.Name == "status").Select(e => e.Data!.Value.GetProperty("data").GetProperty("done").GetInt32()).ToList();
        Assert.That(done, Is.Ordered);
        Assert.That(done.Distinct(), Is.SupersetOf(new[] { 1, 2, 3 }), "a status as each trial ended");
        Assert.That(events[^2].Data!.Value.GetProperty("data").GetProperty("state").GetString(), Is.EqualTo("completed"));
        Assert.That(events[^1].Name, Is.EqualTo("end"), "and the stream closed");

        var unknown = new HttpClient().GetAsync($"http://{node.Address}/api/sweeps/nosuch/events").Result;
        Assert.That(unknown.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(unknown.Content.ReadAsStringAsync().Result, Does.Contain("no sweep has the id 'nosuch'"));
    }

    [Test]
    public void A_stream_from_the_surviving_node_goes_on_through_a_coordinator_failover_to_the_sweep_s_end()
    {
        var store = Path.Combine(_nodes.Root, "coordinators");
        var first = _nodes.Start("coordinator", extra: FastFailureDetection, store: store);
        var second = _nodes.Start("coordinator", first.ClusterAddress, FastFailureDetection, store: store);
        _nodes.Start("worker", first.ClusterAddress, $"--cpu-slots 2 {FastFailureDetection}");
        WaitForWorkers(first, 1, members: 3);
        var id = Submit(first.Address, SleepExperiment(_nodes.Root, 8, 2, seed: 6));
        var reading = Task.Run(() => Read(second, id, TimeSpan.FromMinutes(3)));
        NodeProcesses.WaitUntil(() => Done(first, id) >= 2, TimeSpan.FromSeconds(60), "two trials to end");
        var killed = DateTimeOffset.UtcNow;
        NodeProcesses.Kill(first);

        Assert.That(reading.Wait(TimeSpan.FromMinutes(3)), "the stream ends with the sweep");
        var statuses = reading.Result.Where(e => e.Name == "status").ToList();
        var afterwards = statuses.Where(e => e.At > killed).Select(e => e.Data!.Value.GetProperty("data").GetProperty("done").GetInt32()).ToList();
        Assert.That(afterwards.Distinct().Count(), Is.GreaterThan(2), "trials ending under the new coordinator are pushed on the same connection");
        Assert.That(statuses[^1].Data!.Value.GetProperty("data").GetProperty("done").GetInt32(), Is.EqualTo(8));
        Assert.That(reading.Result[^1].Name, Is.EqualTo("end"));
    }

    [Test]
    public void A_node_keeps_a_bounded_number_of_streams_open_and_serves_on_past_it()
    {
        var node = _nodes.Start("coordinator,worker", extra: "--cpu-slots 1");
        var id = Submit(node.Address, SleepExperiment(_nodes.Root, 2, 120, seed: 7, steps: 1));
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var url = $"http://{node.Address}/api/sweeps/{id}/events";
        var open = Enumerable.Range(0, 256).Select(_ => http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead)).ToList();
        Assert.That(open.Select(o => o.Result.Content.Headers.ContentType?.MediaType), Is.All.EqualTo("text/event-stream"));
        using (var refused = http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).Result)
        {
            Assert.That((int)refused.StatusCode, Is.EqualTo(503));
            Assert.That(refused.Content.ReadAsStringAsync().Result, Does.Contain("this node already streams 256 sweeps' progress"));
        }
        Assert.That(Json(node.Address, "sweep", "status", "-i", id).GetProperty("state").GetString(), Is.EqualTo("running"), "the node serves on");
        open[0].Result.Dispose();
        NodeProcesses.WaitUntil(() =>
        {
            using var again = http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).Result;
            return again.Content.Headers.ContentType?.MediaType == "text/event-stream";
        }, TimeSpan.FromSeconds(30), "a stream closed to make room for another");
        foreach (var stream in open.Skip(1)) stream.Result.Dispose();
    }

    /// <summary>The events of one connection, until it closes.</summary>
    private static List<Event> Read(NodeProcesses.Node node, string id, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = timeout };
        using var response = http.GetAsync($"http://{node.Address}/api/sweeps/{id}/events", HttpCompletionOption.ResponseHeadersRead).Result;
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        using var reader = new StreamReader(response.Content.ReadAsStream());
        var events = new List<Event>();
        var (name, data) = ("message", new List<string>());
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith(':')) continue;
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Add(line["data: ".Length..]);
            else if (line.Length == 0 && data.Count > 0)
            {
                events.Add(new Event(name, name == "status" ? JsonDocument.Parse(string.Join("\n", data)).RootElement.Clone() : null, DateTimeOffset.UtcNow));
                (name, data) = ("message", []);
            }
        }
        return events;
    }
}
