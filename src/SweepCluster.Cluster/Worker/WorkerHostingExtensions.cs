using Akka.Actor;
using Akka.Hosting;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Core.Trials;

namespace SweepCluster.Cluster.Worker;

public static class WorkerHostingExtensions
{
    /// <summary>Starts this node's worker, running trials with <paramref name="runner"/>; it needs the coordinator (or its proxy) registered first.</summary>
    public static AkkaConfigurationBuilder WithSweepWorker(this AkkaConfigurationBuilder builder, WorkerOptions options, ITrialRunner runner) =>
        builder.WithActors((system, registry, _) =>
        {
            var coordinator = registry.Get<SweepCoordinator>();
            registry.Register<SweepWorker>(system.ActorOf(Props.Create(() => new SweepWorker(coordinator, options, runner)), ClusterNames.WorkerActor));
        });
}
