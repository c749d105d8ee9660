using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Pattern;

namespace SweepCluster.Cluster.Registry;

public static class RegistryHostingExtensions
{
    private static readonly ClusterSingletonOptions SingletonOptions = new()
    {
        Role = ClusterNames.CoordinatorRole,
        SingletonIdentificationInterval = TimeSpan.FromSeconds(1),
        LogSingletonIdentificationFailure = false, // as the coordinator's (akkadotnet/akka.net#8568)
    };

    /// <summary>Hosts the model registry singleton on this node's coordinator role, restarted after a back-off as the coordinator is.</summary>
    public static AkkaConfigurationBuilder WithModelRegistry(this AkkaConfigurationBuilder builder) =>
        builder.WithSingleton<ModelRegistry>(ClusterNames.ModelRegistrySingleton,
            (_, _, _) => BackoffSupervisor.Props(Backoff.OnStop(Props.Create(() => new ModelRegistry(() => DateTimeOffset.UtcNow)), "registry",
                TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, maxNrOfRetries: -1).WithAutoReset(TimeSpan.FromMinutes(1))),
            SingletonOptions, createProxyToo: true);

    public static AkkaConfigurationBuilder WithModelRegistryProxy(this AkkaConfigurationBuilder builder) =>
        builder.WithSingletonProxy<ModelRegistry>(ClusterNames.ModelRegistrySingleton, SingletonOptions);
}
