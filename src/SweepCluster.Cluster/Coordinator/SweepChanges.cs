using System.Threading.Channels;
using Akka.Actor;

namespace SweepCluster.Cluster.Coordinator;

/// <summary>
/// A sweep's changes as one client awaits them (a stream of its progress, <c>sweepctl run</c>'s live view): a
/// <see cref="SweepSubscriber"/> whose word is kept as one pending signal, since however many changes arrive while the client
/// shows a status, the next status shows them all. Disposing it ends the subscription.
/// </summary>
public sealed class SweepChanges : IDisposable
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ActorSystem _system;
    private readonly IActorRef _subscriber;

    public SweepChanges(ActorSystem system, IActorRef coordinator, string sweepId)
    {
        _system = system;
        _subscriber = system.ActorOf(SweepSubscriber.Props(sweepId, coordinator, () => _signal.Writer.TryWrite(true)));
    }

    /// <summary>Returns once the sweep changed (or a subscription caught up), or after <paramref name="atMost"/>; throws only when <paramref name="cancellation"/> is cancelled.</summary>
    public async Task NextAsync(TimeSpan atMost, CancellationToken cancellation)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        wait.CancelAfter(atMost);
        try
        {
            await _signal.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            // No word within the interval: the caller shows the status again all the same.
        }
    }

    public void Dispose() => _system.Stop(_subscriber);
}
