using Akka;
using Akka.Actor;
using Akka.Hosting;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Core.Trials;

namespace SweepCluster.Cluster.Worker;

public static class WorkerHostingExtensions
{
    /// <summary>How long a leaving worker waits for its attempts to stop between batches and for the coordinator to record them.</summary>
    public static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(25);

    /// <summary>
    /// Starts this node's worker, running trials with <paramref name="runner"/>; it needs the coordinator (or its proxy) registered
    /// first. When the node leaves (Ctrl-C, SIGTERM, <c>cluster leave</c>, the end of an allocation), the worker first gives its
    /// running attempts back, before the node leaves the cluster; a node downed by the others has no one to give them to.
    /// </summary>
    public static AkkaConfigurationBuilder WithSweepWorker(this AkkaConfigurationBuilder builder, WorkerOptions options, ITrialRunner runner) =>
        builder.AddHocon($"akka.coordinated-shutdown.phases.before-cluster-shutdown.timeout = {(int)ReleaseTimeout.TotalSeconds + 5}s", HoconAddMode.Prepend)
            .WithActors((system, registry, _) =>
            {
                var coordinator = registry.Get<SweepCoordinator>();
                var worker = system.ActorOf(Props.Create(() => new SweepWorker(coordinator, options, runner)), ClusterNames.WorkerActor);
                registry.Register<SweepWorker>(worker);
                var shutdown = CoordinatedShutdown.Get(system);
                shutdown.AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "release-trial-attempts", async () =>
                {
                    if (shutdown.ShutdownReason is CoordinatedShutdown.ClusterDowningReason) return Done.Instance;
                    try
                    {
                        await worker.Ask<AttemptsReleased>(new ReleaseAttempts("released: its worker left the cluster"), ReleaseTimeout);
                    }
                    catch (AskTimeoutException)
                    {
                        // Not all recorded in time: the coordinator retries what it did not hear of, as for a lost worker.
                    }
                    return Done.Instance;
                });
            });
}
