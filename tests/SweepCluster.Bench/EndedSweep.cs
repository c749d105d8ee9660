using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Bench;

/// <summary>A sweep of zero-second trials that have all completed, built in process from the events a coordinator journals.</summary>
internal static class EndedSweep
{
    /// <summary>
    /// The events of a sweep whose trials have all finished, as the coordinator journals them, and the sweep they build; with
    /// <paramref name="applied"/>, the sweep after only that many of the events (still running). With
    /// <paramref name="archived"/> the sweep keeps its ended trials in the run folder's trials.jsonl, as a coordinator does.
    /// </summary>
    public static (List<ISweepEvent> Events, ArchivedSweep Sweep) Build(string runs, int trials, int? applied = null, bool archived = false)
    {
        var yaml = Experiments.Sleep(trials, extra: "pruner: none");
        var spec = ExperimentSpecParser.Parse(yaml, "replay.yml").Spec!;
        var now = DateTimeOffset.UtcNow;
        var submitted = new SweepSubmitted("replay01", "replay", yaml, "replay.yml", trials, 1, null, false, Path.Combine(runs, "replay"), now);
        var sweep = new ArchivedSweep(new SweepState(submitted, spec));
        var events = new List<ISweepEvent> { submitted };
        while (sweep.State.HasTrialToStart)
        {
            var (index, planned) = sweep.State.NextToStart();
            var value = ((ParamValue.Real)planned!.Params["value"]!).Value;
            events.AddRange(
            [
                planned,
                new TrialStarted(submitted.SweepId, index, 1, "akka.tcp://sweep@127.0.0.1:4054/user/sweep-worker", "akka.tcp://sweep@127.0.0.1:4054", "cpu", [], now),
                new TrialProgressed(submitted.SweepId, index, 1, new EpochPoint(1, value, value, 0.01)),
                new TrialCompleted(submitted.SweepId, index, 1, System.Collections.Immutable.ImmutableDictionary<string, double>.Empty.Add("value", value), 0.01,
                    Path.Combine(submitted.RunDirectory, $"trial-{index:D4}"), now),
            ]);
            foreach (var e in events.TakeLast(4)) sweep.Apply(e);
        }
        if (applied is null && !archived) return (events, sweep);
        var rebuilt = new ArchivedSweep(new SweepState(submitted, spec), archived ? TrialArchive.InFile(submitted.RunDirectory) : TrialArchive.InMemory());
        foreach (var e in events.Skip(1).Take((applied ?? events.Count) - 1)) rebuilt.Apply(e);
        return (events, rebuilt);
    }
}
