using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Pattern;
using SweepCluster.Cluster.Coordinator;

namespace SweepCluster.Cluster.Registry;

public static class RegistryHostingExtensions
{
    /// <summary>Hosts the model registry singleton on this node's coordinator role, restarted after a back-off as the coordinator is.</summary>
    public static AkkaConfigurationBuilder WithModelRegistry(this AkkaConfigurationBuilder builder) =>
        builder.WithSingleton<ModelRegistry>(ClusterNames.ModelRegistrySingleton,
            (_, _, _) => BackoffSupervisor.Props(Backoff.OnStop(Props.Create(() => new ModelRegistry(() => DateTimeOffset.UtcNow)), "registry",
                TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, maxNrOfRetries: -1).WithAutoReset(TimeSpan.FromMinutes(1))),
            CoordinatorHostingExtensions.SingletonOptions, createProxyToo: true);

    public static AkkaConfigurationBuilder WithModelRegistryProxy(this AkkaConfigurationBuilder builder) =>
        builder.WithSingletonProxy<ModelRegistry>(ClusterNames.ModelRegistrySingleton, CoordinatorHostingExtensions.SingletonOptions);
}
