using System.Diagnostics;
using Akka.Actor;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Telemetry;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Results;

namespace SweepCluster.Cluster.Tests;

/// <summary>The instruments and spans of a real sweep (a coordinator and a worker actor), read with OpenTelemetry's in-memory exporter.</summary>
[NonParallelizable]
public class TelemetryTests : ActorTest
{
    private readonly string _runs = Directory.CreateTempSubdirectory("telemetry-test-").FullName;

    [TearDown]
    public void RemoveRuns() => Directory.Delete(_runs, recursive: true);

    [Test]
    public void A_sweep_reports_its_trials_epochs_and_spans()
    {
        var metrics = new List<Metric>();
        var spans = new List<Activity>();
        using var meters = OpenTelemetry.Sdk.CreateMeterProviderBuilder().AddMeter(SweepTelemetry.Name).AddInMemoryExporter(metrics).Build();
        using var tracer = OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddSource(SweepTelemetry.Name).AddInMemoryExporter(spans).Build();

        var coordinator = Sys.ActorOf(Props.Create(() => new SweepCoordinator(CoordinatorOptions.Default(_runs))));
        var options = new WorkerOptions([], 1, null);
        Sys.ActorOf(Props.Create(() => new SweepWorker(coordinator, options, Runner)));
        var id = coordinator.Ask<SweepAccepted>(new SubmitSweep(Experiments.Sleep(3, seconds: 0.2, steps: 2), "sleep.yml"), RemainingOrDefault).Result.Id;
        AwaitCondition(() => coordinator.Ask<SweepStatusFound>(new GetSweepStatus(id), RemainingOrDefault).Result.Sweep!.Header.State == SweepStatus.Completed, TimeSpan.FromSeconds(20));
        meters.ForceFlush();

        long Sum(string name, string? status = null) => Points(metrics, name)
            .Where(p => Tag(p, "sweep.id") == id && (status is null || Tag(p, "status") == status)).Sum(p => p.GetSumLong());
        long Count(string name) => Points(metrics, name).Sum(p => p.GetHistogramCount());
        Assert.That(Sum("sweep.trials.started"), Is.EqualTo(3));
        Assert.That(Sum("sweep.trials.ended", "completed"), Is.EqualTo(3));
        Assert.That(Points(metrics, "sweep.trials.ended").Where(p => Tag(p, "sweep.id") == id).Select(p => Tag(p, "status")),
            Is.SupersetOf(new[] { "completed", "failed", "pruned", "cancelled" }), "every status has a series, zero or not");
        Assert.That(Count("sweep.trial.duration"), Is.GreaterThanOrEqualTo(3));
        Assert.That(Count("sweep.epoch.duration"), Is.GreaterThanOrEqualTo(6), "two steps per trial");
        Assert.That(Count("sweep.slot.idle"), Is.GreaterThanOrEqualTo(2), "one slot, freed and taken again twice");
        Assert.That(metrics.Select(m => m.Name), Does.Contain("sweep.worker.slots").And.Contain("sweep.trials.running").And.Contain("sweep.best.value"));
        Assert.That(metrics.Single(m => m.Name == "sweep.trial.duration").Unit, Is.EqualTo("s"));

        tracer.ForceFlush();
        var sweep = spans.Single(s => s.DisplayName == "sweep sleepy" && (string?)s.GetTagItem("sweep.id") == id);
        var trials = spans.Where(s => s.DisplayName == "trial" && (string?)s.GetTagItem("sweep.id") == id).ToList();
        Assert.That(trials, Has.Count.EqualTo(3));
        Assert.That(trials.Select(t => t.ParentSpanId), Has.All.EqualTo(sweep.SpanId), "trial attempts are children of the sweep span");
        Assert.That(trials.Select(t => t.TraceId), Has.All.EqualTo(sweep.TraceId));
        Assert.That(trials.Select(t => t.Events.Count(e => e.Name == "epoch")), Has.All.EqualTo(2));
        Assert.That(trials.Select(t => (string?)t.GetTagItem("trial.status")), Has.All.EqualTo("completed"));
        Assert.That(trials.Select(t => (string?)t.GetTagItem("trial.params")), Has.All.Contain("\"value\":"));
        Assert.That(sweep.GetTagItem("sweep.state"), Is.EqualTo("completed"));
    }

    private static IEnumerable<MetricPoint> Points(IEnumerable<Metric> metrics, string name)
    {
        foreach (var metric in metrics.Where(m => m.Name == name))
            foreach (ref readonly var point in metric.GetMetricPoints())
                yield return point;
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
            if (tag.Key == key) return tag.Value?.ToString();
        return null;
    }
}
