namespace SweepCluster.Core.Sweeps;

/// <summary>
/// When a running sweep should end, at the pace it goes: each trial still to start takes as long as the completed ones did
/// on average, and starts on the first of the sweep's running slots to come free (a running trial frees its slot once it has
/// run that long). Null before a trial has completed, and while trials wait with none running: there is no pace to go by.
/// </summary>
public static class SweepEstimate
{
    /// <summary>Past this many trials to start, the slots are taken as sharing the work evenly instead of trial by trial.</summary>
    private const int SimulatedTrials = 10_000;

    public static DateTimeOffset? End(DateTimeOffset now, double? trialSeconds, int toStart, IReadOnlyCollection<DateTimeOffset?> runningSince)
    {
        if (trialSeconds is not { } mean || runningSince.Count == 0 && toStart > 0) return null;
        var slots = new PriorityQueue<double, double>();
        foreach (var since in runningSince)
        {
            var left = since is { } start ? Math.Max(0, mean - (now - start).TotalSeconds) : mean;
            slots.Enqueue(left, left);
        }
        var latest = runningSince.Count == 0 ? 0 : slots.UnorderedItems.Max(s => s.Element);
        if (toStart > SimulatedTrials)
            return now.AddSeconds(Math.Max(latest, (slots.UnorderedItems.Sum(s => s.Element) + toStart * mean) / slots.Count));
        for (var i = 0; i < toStart; i++)
        {
            var free = slots.Dequeue() + mean;
            slots.Enqueue(free, free);
            latest = Math.Max(latest, free);
        }
        return now.AddSeconds(latest);
    }
}
