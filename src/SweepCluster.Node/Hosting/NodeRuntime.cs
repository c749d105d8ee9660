using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Core.Trials;

namespace SweepCluster.Node.Hosting;

/// <summary>A running cluster node in this process, with the coordinator (or its proxy) to talk to: what an <see cref="EmbeddedSweep"/> runs on.</summary>
internal sealed class NodeRuntime(IHost host) : IAsyncDisposable
{
    public IHost Host { get; } = host;

    public IActorRef Coordinator => Host.Services.GetRequiredService<ActorRegistry>().Get<SweepCoordinator>();

    public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();

    /// <summary>Where /metrics is served (with the port the system picked for port 0), or null without a metrics port.</summary>
    public string? MetricsUrl => Host.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => a + "/metrics").FirstOrDefault();

    /// <summary>
    /// Builds and starts a node; its logs go to stderr, so stdout stays for results. With <paramref name="metricsPort"/>
    /// it also serves /metrics on 127.0.0.1 (a web host only then: without endpoints Kestrel would take port 5000).
    /// </summary>
    public static async Task<NodeRuntime> StartAsync(NodeOptions options, ITrialRunner runner, LogLevel logLevel, int? metricsPort, CancellationToken cancellation)
    {
        IHost host;
        if (metricsPort is { } port)
        {
            var web = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = NodeHost.ContentRoot });
            NodeHost.AddNode(web.Logging, web.Services, options, runner, (_, level) => level >= logLevel);
            web.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
            web.Services.AddSweepTelemetry("sweepctl run");
            var app = web.Build();
            app.MapSweepTelemetry();
            host = app;
        }
        else
        {
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = NodeHost.ContentRoot });
            NodeHost.AddNode(builder.Logging, builder.Services, options, runner, (_, level) => level >= logLevel);
            host = builder.Build();
        }
        await host.StartAsync(cancellation);
        return new NodeRuntime(host);
    }

    /// <summary>Asks the coordinator, waiting while the cluster forms and the singleton starts.</summary>
    public Task<T> Ask<T>(object message, TimeSpan? timeout = null) => Coordinator.Ask<T>(message, timeout ?? TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync(TimeSpan.FromSeconds(15));
        Host.Dispose();
    }
}
