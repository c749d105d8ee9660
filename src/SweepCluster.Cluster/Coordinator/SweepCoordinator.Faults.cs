using Akka.Actor;
using Akka.Event;

namespace SweepCluster.Cluster.Coordinator;

// The coordinator's own faults: a journal it cannot write, a command it fails on. Neither may leave it in a loop.
public sealed partial class SweepCoordinator
{
    /// <summary>The journal refused a write (full disk, lost database): one line saying so; the actor then stops, and starts again after a back-off.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        _log.Error("the journal cannot be written ({0}: {1}): the coordinator stops and recovers from it again after a growing wait (up to 30 s); "
            + "free the journal's disk or bring its database back", @event.GetType().Name, cause.GetBaseException().Message.Split('\n')[0]);

    /// <summary>
    /// Handles a user's command; one that fails on a fault of this coordinator is refused with the fault named, not left to
    /// restart the coordinator: the client would repeat it, and the next coordinator would meet it too.
    /// </summary>
    private void Refusing<T>(T command, Action<T> handle)
    {
        try
        {
            handle(command);
        }
        catch (Exception e)
        {
            _log.Error(e, "the coordinator could not take a {0}; it is refused, nothing of it was journalled", typeof(T).Name);
            Sender.Tell(new SweepRejected([$"the coordinator could not take this command ({e.GetType().Name}: {e.Message}); nothing of it was recorded"]));
        }
    }
}
