using Akka.Actor;

namespace SweepCluster.Cluster.Coordinator;

// Subscribers: actors on the nodes that push a sweep's progress to their clients (sweep watch, the dashboard), told that it
// changed at most every 200 ms however many events it had meanwhile.
public sealed partial class SweepCoordinator
{
    private static readonly TimeSpan PushEvery = TimeSpan.FromMilliseconds(200);
    private readonly Dictionary<string, HashSet<IActorRef>> _subscribers = [];
    /// <summary>Sweeps with subscribers that changed since they were last told.</summary>
    private readonly HashSet<string> _changed = [];

    private void Subscribe(SubscribeToSweep subscribe)
    {
        if (!_subscribers.TryGetValue(subscribe.Id, out var subscribers)) _subscribers[subscribe.Id] = subscribers = [];
        if (subscribers.Add(Sender)) Context.Watch(Sender);
        Sender.Tell(new SweepSubscribed(subscribe.Id));
        if (!Timers.IsTimerActive(nameof(PushChanges))) Timers.StartPeriodicTimer(nameof(PushChanges), PushChangesNow.Instance, PushEvery);
    }

    /// <returns>True when the stopped actor was a subscriber (not a worker).</returns>
    private bool Unsubscribe(IActorRef stopped)
    {
        var was = false;
        foreach (var (id, subscribers) in _subscribers.ToList())
        {
            if (!subscribers.Remove(stopped)) continue;
            was = true;
            if (subscribers.Count == 0) _subscribers.Remove(id);
        }
        return was;
    }

    private void Changed(string sweepId)
    {
        if (_subscribers.ContainsKey(sweepId)) _changed.Add(sweepId);
    }

    private void PushChanges()
    {
        foreach (var id in _changed)
            foreach (var subscriber in _subscribers.GetValueOrDefault(id) ?? [])
                subscriber.Tell(new SweepChanged(id));
        _changed.Clear();
        if (_subscribers.Count == 0) Timers.Cancel(nameof(PushChanges));
    }

    /// <summary>Sent by a timer while there are subscribers.</summary>
    private sealed record PushChangesNow : INoSerializationVerificationNeeded
    {
        public static readonly PushChangesNow Instance = new();
    }
}
