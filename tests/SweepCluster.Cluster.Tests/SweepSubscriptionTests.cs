using Akka.Actor;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Worker;

namespace SweepCluster.Cluster.Tests;

public class SweepSubscriptionTests : CoordinatorTest
{
    [Test]
    public void A_subscriber_is_told_when_the_sweep_changes_and_nothing_while_it_does_not()
    {
        var coordinator = NewCoordinator();
        var worker = NewWorker();
        Join(coordinator, worker, cpu: 1);
        var id = Submit(coordinator, Experiments.Sleep(3));
        var first = worker.ExpectMsg<StartTrial>();
        var subscriber = CreateTestProbe();
        coordinator.Tell(new SubscribeToSweep(id), subscriber.Ref);
        subscriber.ExpectMsg<SweepSubscribed>(s => s.Id == id);
        subscriber.ExpectNoMsg(TimeSpan.FromMilliseconds(600));

        // Two changes within 200 ms: one word.
        Finish(coordinator, worker, first, 0.5);
        subscriber.ExpectMsg<SweepChanged>(c => c.Id == id, TimeSpan.FromSeconds(1));
        subscriber.ExpectNoMsg(TimeSpan.FromMilliseconds(600));
        Watch(subscriber.Ref);
        subscriber.Ref.Tell(PoisonPill.Instance);
        ExpectTerminated(subscriber.Ref);
        Finish(coordinator, worker, worker.ExpectMsg<StartTrial>(), 0.6);
        Assert.That(Status(coordinator, id).Done, Is.EqualTo(2), "a subscriber that stopped is forgotten; the coordinator goes on");
    }

    [Test]
    public void A_subscriber_subscribes_again_when_the_coordinator_it_was_subscribed_at_stops_and_catches_up_each_time()
    {
        var proxy = CreateTestProbe();
        var caughtUp = 0;
        var subscriber = Sys.ActorOf(SweepSubscriber.Props("ab12cd34", proxy.Ref, () => Interlocked.Increment(ref caughtUp)));
        proxy.ExpectMsg<SubscribeToSweep>(s => s.Id == "ab12cd34");
        proxy.ExpectMsg<SubscribeToSweep>(TimeSpan.FromSeconds(3)); // asked again while no coordinator answers
        var firstCoordinator = CreateTestProbe();
        subscriber.Tell(new SweepSubscribed("ab12cd34"), firstCoordinator.Ref);
        AwaitCondition(() => Volatile.Read(ref caughtUp) == 1, null, "subscribed: the client catches up");
        subscriber.Tell(new SweepChanged("ab12cd34"), firstCoordinator.Ref);
        AwaitCondition(() => Volatile.Read(ref caughtUp) == 2);
        proxy.ExpectNoMsg(TimeSpan.FromSeconds(2.5));

        firstCoordinator.Ref.Tell(PoisonPill.Instance); // the failover: the singleton stops here and starts elsewhere
        proxy.ExpectMsg<SubscribeToSweep>(s => s.Id == "ab12cd34");
        subscriber.Tell(new SweepSubscribed("ab12cd34"), CreateTestProbe().Ref);
        AwaitCondition(() => Volatile.Read(ref caughtUp) == 3, null, "subscribed at the new coordinator: caught up again");
    }
}
