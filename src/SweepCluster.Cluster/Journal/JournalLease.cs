using Akka.Actor;
using Akka.Coordination;
using Akka.Event;

namespace SweepCluster.Cluster.Journal;

/// <summary>
/// The split-brain resolver's lease (<c>lease-majority</c>): whichever side of a partition decides to go on must first hold
/// this lease, which lives in the journal's database. A node asks a reachable coordinator node (itself first) to take it;
/// a side with no coordinator node, or none that reaches the journal, cannot, and downs itself. So after two faults in a
/// row that leave an even split, the survivor is the side that still has the journal, not the side with the lowest address.
/// </summary>
public sealed class JournalLease : Akka.Coordination.Lease
{
    /// <summary>Where the lease's settings live in the configuration.</summary>
    public const string ConfigPath = "sweep.journal-lease";

    private readonly ActorSystem _system;
    private readonly ILoggingAdapter _log;
    private readonly Lock _gate = new();
    private bool _held;
    private Timer? _renewal;

    public JournalLease(LeaseSettings settings, ExtendedActorSystem system) : base(settings)
    {
        _system = system;
        _log = Logging.GetLogger(system, typeof(JournalLease));
    }

    public override Task<bool> Acquire() => Acquire(_ => { });

    public override async Task<bool> Acquire(Action<Exception> leaseLostCallback)
    {
        var answer = await Ask(Hold());
        lock (_gate)
        {
            _held = answer.Held;
            _renewal?.Dispose();
            // Renewed well within its duration, so that it does not lapse while the decision it guards is carried out.
            _renewal = answer.Held ? new Timer(_ => Renew(leaseLostCallback), null, Settings.TimeoutSettings.HeartbeatInterval, Settings.TimeoutSettings.HeartbeatInterval) : null;
        }
        if (!answer.Held) _log.Warning("this side of the cluster could not take the lease {0}: {1}", Settings.LeaseName, answer.Error ?? "another side holds it");
        return answer.Held;
    }

    public override async Task<bool> Release()
    {
        lock (_gate)
        {
            _held = false;
            _renewal?.Dispose();
            _renewal = null;
        }
        return (await Ask(new ReleaseLease(Settings.LeaseName, Settings.OwnerName))).Held;
    }

    public override bool CheckLease()
    {
        lock (_gate) return _held;
    }

    private HoldLease Hold() => new(Settings.LeaseName, Settings.OwnerName, Settings.TimeoutSettings.HeartbeatTimeout.TotalSeconds);

    /// <remarks>Run by a timer, so nothing may escape it: an exception here would end the process.</remarks>
    private async void Renew(Action<Exception> leaseLost)
    {
        try
        {
            var answer = await Ask(Hold());
            if (answer.Held) return;
            lock (_gate)
            {
                if (!_held) return;
                _held = false;
                _renewal?.Dispose();
                _renewal = null;
            }
            leaseLost(new LeaseException($"lost the lease {Settings.LeaseName}: {answer.Error ?? "another side took it"}"));
        }
        catch (Exception e)
        {
            _log.Warning("renewing the lease {0} failed: {1}", Settings.LeaseName, e.Message);
        }
    }

    /// <summary>Asks the reachable coordinator nodes in turn, this node first, until one answers.</summary>
    private async Task<LeaseAnswered> Ask(object message)
    {
        string? lastError = null;
        foreach (var keeper in JournalKeeper.Reachable(Akka.Cluster.Cluster.Get(_system)))
        {
            try
            {
                var answer = await JournalKeeper.At(_system, keeper).Ask<LeaseAnswered>(message, Settings.TimeoutSettings.OperationTimeout);
                if (answer.Error is null) return answer;
                lastError = $"{keeper}: {answer.Error}";
            }
            catch (AskTimeoutException)
            {
                lastError = $"{keeper} did not answer within {Settings.TimeoutSettings.OperationTimeout.TotalSeconds:0} s";
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                lastError = $"{keeper}: {e.Message}"; // the system is shutting down
            }
        }
        return new LeaseAnswered(false, lastError ?? "no coordinator node on this side of the cluster");
    }
}
