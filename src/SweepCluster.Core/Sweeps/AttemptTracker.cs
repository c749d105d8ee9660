namespace SweepCluster.Core.Sweeps;

/// <summary>One attempt of one trial: the key of everything the coordinator and the workers say about it.</summary>
public readonly record struct AttemptId(string SweepId, int Index, int Attempt)
{
    public override string ToString() => $"{SweepId}/{Index}#{Attempt}";
}

/// <summary>
/// The signs of life of running attempts, and which of them a recovered coordinator has seen again. Plain state: the
/// coordinator asks it which attempts stalled (nothing trained for the sweep's <c>stall_timeout</c>) and which attempts
/// of its journal no worker took up again after it started (their worker died with the old coordinator, or restarted).
/// </summary>
public sealed class AttemptTracker
{
    private readonly Dictionary<AttemptId, Entry> _attempts = [];

    private sealed class Entry(string worker, DateTimeOffset lastAlive, bool confirmed)
    {
        public string Worker { get; } = worker;
        public DateTimeOffset LastAlive { get; set; } = lastAlive;
        public bool Confirmed { get; set; } = confirmed;
    }

    public int Count => _attempts.Count;

    /// <summary>An attempt this coordinator started.</summary>
    public void Started(AttemptId id, string worker, DateTimeOffset at) => _attempts[id] = new Entry(worker, at, confirmed: true);

    /// <summary>An attempt the journal says is running, which its worker has yet to report.</summary>
    public void Recovered(AttemptId id, string worker, DateTimeOffset at) => _attempts[id] = new Entry(worker, at, confirmed: false);

    public bool IsConfirmed(AttemptId id) => _attempts.TryGetValue(id, out var entry) && entry.Confirmed;

    /// <summary>The attempt trained or reported at <paramref name="at"/>.</summary>
    public void Alive(AttemptId id, DateTimeOffset at)
    {
        if (_attempts.TryGetValue(id, out var entry) && at > entry.LastAlive) entry.LastAlive = at;
    }

    public void Forget(AttemptId id) => _attempts.Remove(id);

    /// <summary>
    /// A worker's heartbeat, with the attempts it runs and how long each has been idle. Confirms the recovered attempts it
    /// lists; returns the recovered attempts recorded on this worker that it does not run any more, which will never report.
    /// </summary>
    public IReadOnlyList<AttemptId> Reported(string worker, IReadOnlyCollection<(AttemptId Id, double IdleSeconds)> running, DateTimeOffset at)
    {
        foreach (var (id, idle) in running)
        {
            if (!_attempts.TryGetValue(id, out var entry)) continue;
            entry.Confirmed = true;
            Alive(id, at - TimeSpan.FromSeconds(idle));
        }
        var listed = running.Select(r => r.Id).ToHashSet();
        return [.. _attempts.Where(a => !a.Value.Confirmed && a.Value.Worker == worker && !listed.Contains(a.Key)).Select(a => a.Key)];
    }

    /// <summary>Recovered attempts no worker has reported within <paramref name="grace"/> of the recovery.</summary>
    public IReadOnlyList<AttemptId> Unclaimed(DateTimeOffset now, TimeSpan grace) =>
        [.. _attempts.Where(a => !a.Value.Confirmed && now - a.Value.LastAlive > grace).Select(a => a.Key)];

    /// <summary>Running attempts with no sign of life for longer than their sweep's stall timeout.</summary>
    public IReadOnlyList<AttemptId> Stalled(DateTimeOffset now, Func<string, TimeSpan> stallTimeout) =>
        [.. _attempts.Where(a => a.Value.Confirmed && now - a.Value.LastAlive > stallTimeout(a.Key.SweepId)).Select(a => a.Key)];
}
