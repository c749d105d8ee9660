using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using SweepCluster.Cluster.Telemetry;

namespace SweepCluster.Node.Hosting;

/// <summary>
/// Exports the project's meter and activity source: a Prometheus scrape endpoint at <c>/metrics</c>, and OTLP
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard OTEL_* variables apply).
/// </summary>
internal static class TelemetryHosting
{
    public static void AddSweepTelemetry(this IServiceCollection services, string node)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("sweepcluster", serviceInstanceId: node))
            .WithMetrics(m => m.AddMeter(SweepTelemetry.Name).AddPrometheusExporter())
            .WithTracing(t => t.AddSource(SweepTelemetry.Name));
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))) telemetry.UseOtlpExporter();
    }

    public static void MapSweepTelemetry(this WebApplication app) => app.MapPrometheusScrapingEndpoint("/metrics");
}
