using Akka.Actor;
using Akka.Hosting;
using SweepCluster.Cluster.Coordinator;

namespace SweepCluster.Cluster.Worker;

public static class WorkerHostingExtensions
{
    /// <summary>Starts this node's worker; it needs the coordinator (or its proxy) registered first.</summary>
    public static AkkaConfigurationBuilder WithSweepWorker(this AkkaConfigurationBuilder builder, WorkerOptions options) =>
        builder.WithActors((system, registry, _) =>
        {
            var coordinator = registry.Get<SweepCoordinator>();
            registry.Register<SweepWorker>(system.ActorOf(Props.Create(() => new SweepWorker(coordinator, options)), ClusterNames.WorkerActor));
        });
}
