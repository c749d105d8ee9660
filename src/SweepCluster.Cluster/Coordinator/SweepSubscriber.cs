using Akka.Actor;

namespace SweepCluster.Cluster.Coordinator;

/// <summary>
/// One client's subscription to a sweep, on the node that serves the client: it subscribes at the coordinator singleton
/// (through its proxy, every 2 s until one answers), watches the coordinator that answered and subscribes again when that one
/// stops (a failover). Its callback is called on each change and on each subscription, so that the client
/// catches up on whatever it missed meanwhile.
/// </summary>
public sealed class SweepSubscriber : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan AskAgainEvery = TimeSpan.FromSeconds(2);
    private readonly string _sweepId;
    private readonly IActorRef _coordinator;

    public SweepSubscriber(string sweepId, IActorRef coordinator, Action changed)
    {
        (_sweepId, _coordinator) = (sweepId, coordinator);
        Receive<SweepSubscribed>(_ =>
        {
            Timers.Cancel(nameof(SubscribeAgain));
            Context.Watch(Sender);
            changed();
        });
        Receive<SweepChanged>(_ => changed());
        Receive<Terminated>(_ => Subscribe());
        Receive<SubscribeAgain>(_ => _coordinator.Tell(new SubscribeToSweep(_sweepId)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string sweepId, IActorRef coordinator, Action changed) =>
        Akka.Actor.Props.Create(() => new SweepSubscriber(sweepId, coordinator, changed));

    protected override void PreStart() => Subscribe();

    private void Subscribe()
    {
        _coordinator.Tell(new SubscribeToSweep(_sweepId));
        Timers.StartPeriodicTimer(nameof(SubscribeAgain), SubscribeAgain.Instance, AskAgainEvery);
    }

    private sealed record SubscribeAgain : INoSerializationVerificationNeeded
    {
        public static readonly SubscribeAgain Instance = new();
    }
}
