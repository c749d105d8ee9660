using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;

namespace SweepCluster.Cluster.Coordinator;

public static class CoordinatorHostingExtensions
{
    private static readonly ClusterSingletonOptions SingletonOptions = new()
    {
        Role = ClusterNames.CoordinatorRole,
        SingletonIdentificationInterval = TimeSpan.FromSeconds(1),
        // Akka.NET 1.5.73 warns "failed to find an associated singleton after 30 seconds" at every proxy start, in the
        // same millisecond it starts looking (akkadotnet/akka.net#8568); `sweepctl cluster show` tells the truth instead.
        LogSingletonIdentificationFailure = false,
    };

    /// <summary>Hosts the coordinator singleton on this node's coordinator role, with a proxy in the registry.</summary>
    public static AkkaConfigurationBuilder WithSweepCoordinator(this AkkaConfigurationBuilder builder, CoordinatorOptions options) =>
        builder.WithSingleton<SweepCoordinator>(ClusterNames.CoordinatorSingleton,
            (_, _, _) => Props.Create(() => new SweepCoordinator(options)), SingletonOptions, createProxyToo: true);

    /// <summary>Only a proxy, for nodes without the coordinator role.</summary>
    public static AkkaConfigurationBuilder WithSweepCoordinatorProxy(this AkkaConfigurationBuilder builder) =>
        builder.WithSingletonProxy<SweepCoordinator>(ClusterNames.CoordinatorSingleton, SingletonOptions);
}
