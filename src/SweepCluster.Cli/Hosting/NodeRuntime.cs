using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Hosting;

namespace SweepCluster.Cli.Hosting;

/// <summary>A running cluster node in this process, with the coordinator (or its proxy) to talk to.</summary>
internal sealed class NodeRuntime(IHost host) : IAsyncDisposable
{
    public IHost Host { get; } = host;

    public IActorRef Coordinator => Host.Services.GetRequiredService<ActorRegistry>().Get<SweepCoordinator>();

    public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();

    /// <summary>Builds and starts a node; its logs go to stderr, so stdout stays for results.</summary>
    public static async Task<NodeRuntime> StartAsync(NodeOptions options, LogLevel logLevel, CancellationToken cancellation)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).AddFilter(level => level >= logLevel);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSweepNode(options);
        var host = builder.Build();
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
