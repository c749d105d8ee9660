using System.Collections.Immutable;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sweeps;

// A sweep's state in a snapshot and back: the memento, and a sweep resumed from its run folder's ended trials. What reads and
// writes the archive these point into is ArchivedSweep's.
public sealed partial class SweepState
{
    /// <summary>
    /// Everything <see cref="Apply"/> has built, for a journal snapshot: the trials not ended and where the archive holds the
    /// others (<paramref name="archivedAt"/>), or with an archive in memory every trial and the order they finished in
    /// (<paramref name="archived"/>, as snapshots before archives held them).
    /// </summary>
    public SweepMemento ToMemento((string File, long Length)? archivedAt, IReadOnlyList<TrialSnapshot> archived)
    {
        var live = _live.Values.Select(t => new TrialMemento(t.Stored(), t.Worker, t.Gpus, t.DivergedAtEpoch));
        var enqueued = _enqueued.Count > 0 ? [.. _enqueued] : (ImmutableArray<ImmutableDictionary<string, ParamValue>>?)null;
        var total = TotalTrials != Submitted.TotalTrials ? TotalTrials : (int?)null;
        if (archivedAt is { } mark)
            return new(Submitted, Status, EndedAt, _cancelRequested, [.. live], [.. _waiting], [], enqueued, total, mark.Length,
                mark.File == TrialArchive.FileName ? null : mark.File, StoppedBecause);
        return new(Submitted, Status, EndedAt, _cancelRequested,
            [.. archived.Select(t => new TrialMemento(t, null, [], null)).Concat(live).OrderBy(m => m.Trial.Index)], [.. _waiting],
            [.. archived.Where(t => t.Status != TrialStatus.Cancelled).Select(t => t.Index)], enqueued, total, StoppedBecause: StoppedBecause);
    }

    /// <summary>
    /// Takes up the state <see cref="ToMemento"/> saw, on a new sweep that has been given the trials its archive already held
    /// (<see cref="RestoreEnded"/>): the same as replaying every event up to then. The ended trials the memento holds itself
    /// are handed over by <see cref="TakeEnded"/>, for the archive.
    /// </summary>
    public void Restore(SweepMemento memento)
    {
        var ended = new Dictionary<int, TrialSnapshot>();
        foreach (var m in memento.Trials)
        {
            var t = m.Trial;
            if (t.Status is TrialStatus.Completed or TrialStatus.Failed or TrialStatus.Pruned or TrialStatus.Cancelled)
            {
                ended[t.Index] = t;
                continue;
            }
            var trial = new TrialRecord(t.Index, t.Seed, t.Params)
            {
                Status = t.Status,
                Attempt = t.Attempt,
                Worker = m.Worker,
                Node = t.Node,
                Device = t.Device,
                Gpus = m.Gpus,
                StartedAt = t.StartedAt,
                DurationSeconds = t.DurationSeconds,
                Reason = t.Reason,
                ArtifactDirectory = t.ArtifactDirectory,
                Metrics = t.Metrics,
                DivergedAtEpoch = m.DivergedAtEpoch,
            };
            trial.Epochs.AddRange(t.Epochs);
            trial.FailedAttempts.AddRange(t.FailedAttempts);
            _live[t.Index] = trial;
            _planned = Math.Max(_planned, t.Index + 1);
            if (t.Attempt > 0) AddCurve(t.Index, _curves[t.Index] = [.. t.Epochs.Select(e => e.Value)]);
            if (t.Status == TrialStatus.Running) _running[t.Index] = trial;
        }
        // A snapshot that holds its ended trials: the sampler saw them in the order they finished; the cancelled ones follow.
        foreach (var index in memento.Finished.Concat(ended.Keys.Order().Except(memento.Finished))) RestoreAndHandOver(ended[index]);
        foreach (var index in memento.Waiting) _waiting.AddLast(index);
        foreach (var values in memento.Enqueued ?? []) _enqueued.Enqueue(values);
        (Status, EndedAt, _cancelRequested, StoppedBecause) = (memento.Status, memento.EndedAt, memento.CancelRequested, memento.StoppedBecause);
        TotalTrials = memento.TotalTrials ?? memento.Submitted.TotalTrials;
    }

    /// <summary>
    /// An ended sweep as its <c>sweep.json</c> recorded it, as a snapshot to rebuild it from (<see cref="Restore"/>) and extend it:
    /// its first <paramref name="planned"/> trials (a later <c>sweep.json</c> may hold more), each ended, with the curves the pruner
    /// ranks against (none from files older than curves). The sampler sees them in index order (the order they finished in is
    /// not recorded). It is ended as it was: cancelled when a trial was, when its last trial ended.
    /// </summary>
    /// <exception cref="IOException">A trial is recorded as not ended (the file was changed by hand); the message names it.</exception>
    public static SweepMemento EndedAsRecorded(SweepSubmitted submitted, IEnumerable<TrialDocument> trials, int planned)
    {
        var kept = trials.Where(t => t.Index < planned).OrderBy(t => t.Index).Select(t => t.Record()).ToList();
        if (kept.FirstOrDefault(t => t.Status is TrialStatus.Pending or TrialStatus.Running) is { } open)
            throw new IOException($"{Path.Combine(submitted.RunDirectory, RunFolders.SummaryFile)}: trial {open.Index} is recorded as {open.Status.ToString().ToLowerInvariant()}, "
                + "where every trial of an ended sweep has ended (completed, failed, pruned or cancelled)");
        var endedAt = kept.Select(t => t.StartedAt?.AddSeconds(t.DurationSeconds ?? 0)).Where(end => end is not null).Max() ?? submitted.At;
        var total = kept.Count == 0 ? 0 : kept[^1].Index + 1;
        return new SweepMemento(submitted, kept.Any(t => t.Status == TrialStatus.Cancelled) ? SweepStatus.Cancelled : SweepStatus.Completed, endedAt,
            CancelRequested: false, [.. kept.Select(t => new TrialMemento(t, null, [], null))], Waiting: [],
            Finished: [.. kept.Where(t => t.Status != TrialStatus.Cancelled).Select(t => t.Index)], TotalTrials: total);
    }

    /// <summary>An ended trial from an older record (a snapshot that held every trial, a sweep.json), restored and handed over for the archive.</summary>
    private void RestoreAndHandOver(TrialSnapshot trial)
    {
        _justEnded.Add(trial);
        RestoreEnded(trial);
    }

    /// <summary>A trial the archive already holds, read back: kept in memory as one that ended here, with its curve for the pruner.</summary>
    public void RestoreEnded(TrialSnapshot trial)
    {
        _planned = Math.Max(_planned, trial.Index + 1);
        KeepFigures(trial);
        AddCurve(trial.Index, [.. trial.Epochs.Select(e => e.Value)]);
    }
}
