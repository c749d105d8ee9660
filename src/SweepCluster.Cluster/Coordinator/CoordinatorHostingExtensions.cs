using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Pattern;

namespace SweepCluster.Cluster.Coordinator;

public static class CoordinatorHostingExtensions
{
    /// <summary>Where the coordinator's role's singletons live (the coordinator and the model registry), and how their proxies find them.</summary>
    internal static readonly ClusterSingletonOptions SingletonOptions = new()
    {
        Role = ClusterNames.CoordinatorRole,
        SingletonIdentificationInterval = TimeSpan.FromSeconds(1),
        // Akka.NET 1.5.73 warns "failed to find an associated singleton after 30 seconds" at every proxy start, in the
        // same millisecond it starts looking (akkadotnet/akka.net#8568); `sweepctl cluster show` tells the truth instead.
        LogSingletonIdentificationFailure = false,
    };

    /// <summary>
    /// Hosts the coordinator singleton on this node's coordinator role, with a proxy in the registry. A coordinator that stops
    /// (its journal could not be written) starts again after a back-off and recovers from the journal, rather than stay dead.
    /// </summary>
    public static AkkaConfigurationBuilder WithSweepCoordinator(this AkkaConfigurationBuilder builder, CoordinatorOptions options) =>
        builder.WithSingleton<SweepCoordinator>(ClusterNames.CoordinatorSingleton,
            (_, _, _) => BackoffSupervisor.Props(Backoff.OnStop(Props.Create(() => new SweepCoordinator(options)), "coordinator",
                    TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, maxNrOfRetries: -1)
                // A coordinator recovers and fails again within seconds while its journal stays unwritable: the wait grows until it
                // has run a minute, instead of resetting after every recovery.
                .WithAutoReset(TimeSpan.FromMinutes(1))),
            SingletonOptions, createProxyToo: true);

    /// <summary>Only a proxy, for nodes without the coordinator role.</summary>
    public static AkkaConfigurationBuilder WithSweepCoordinatorProxy(this AkkaConfigurationBuilder builder) =>
        builder.WithSingletonProxy<SweepCoordinator>(ClusterNames.CoordinatorSingleton, SingletonOptions);
}
