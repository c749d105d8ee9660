using System.Collections.Immutable;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sweeps;

// A sweep's state in a snapshot and back: the memento, and a sweep resumed from its run folder's ended trials.
public sealed partial class SweepState
{
    /// <summary>
    /// Everything <see cref="Apply"/> has built, for a journal snapshot: the trials not ended and where the archive holds the
    /// others (or, with the archive in memory, every trial and the order they finished in, as snapshots before archives held them).
    /// </summary>
    public SweepMemento ToMemento()
    {
        var live = _live.Values.Select(t => new TrialMemento(t.Stored(), t.Worker, t.Gpus, t.DivergedAtEpoch));
        var enqueued = _enqueued.Count > 0 ? [.. _enqueued] : (ImmutableArray<ImmutableDictionary<string, ParamValue>>?)null;
        var total = TotalTrials != Submitted.TotalTrials ? TotalTrials : (int?)null;
        if (_archive.Mark() is { } mark)
            return new(Submitted, Status, EndedAt, _cancelRequested, [.. live], [.. _waiting], [], enqueued, total, mark.Length,
                mark.File == TrialArchive.FileName ? null : mark.File, StoppedBecause);
        var archived = _archive.ReadAll().ToList();
        return new(Submitted, Status, EndedAt, _cancelRequested,
            [.. archived.Select(t => new TrialMemento(t, null, [], null)).Concat(live).OrderBy(m => m.Trial.Index)], [.. _waiting],
            [.. archived.Where(t => t.Status != TrialStatus.Cancelled).Select(t => t.Index)], enqueued, total, StoppedBecause: StoppedBecause);
    }

    /// <summary>The sweep as <see cref="ToMemento"/> saw it: the same as replaying every event up to then.</summary>
    /// <param name="newArchive">Where the ended trials of a snapshot that holds them itself go (in memory when not given).</param>
    /// <exception cref="IOException">The snapshot's archive is missing, shorter than it recorded, or unreadable; the message names it.</exception>
    public static SweepState FromMemento(SweepMemento memento, ExperimentSpec spec, Func<TrialArchive>? newArchive = null)
    {
        var sweep = new SweepState(memento.Submitted, spec, memento.ArchivedLength is null ? newArchive?.Invoke() : null);
        if (memento.ArchivedLength is { } length)
            sweep._archive = TrialArchive.Reopen(memento.Submitted.RunDirectory, memento.ArchivedIn ?? TrialArchive.FileName, length, sweep.Restore);
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
            sweep._live[t.Index] = trial;
            sweep._planned = Math.Max(sweep._planned, t.Index + 1);
            if (t.Attempt > 0) sweep.AddCurve(t.Index, sweep._curves[t.Index] = [.. t.Epochs.Select(e => e.Value)]);
            if (t.Status == TrialStatus.Running) sweep._running[t.Index] = trial;
        }
        // A snapshot that holds its ended trials: the sampler saw them in the order they finished; the cancelled ones follow.
        foreach (var index in memento.Finished.Concat(ended.Keys.Order().Except(memento.Finished))) sweep.ArchiveRestored(ended[index]);
        foreach (var index in memento.Waiting) sweep._waiting.AddLast(index);
        foreach (var values in memento.Enqueued ?? []) sweep._enqueued.Enqueue(values);
        (sweep.Status, sweep.EndedAt, sweep._cancelRequested, sweep.StoppedBecause) = (memento.Status, memento.EndedAt, memento.CancelRequested, memento.StoppedBecause);
        sweep.TotalTrials = memento.TotalTrials ?? memento.Submitted.TotalTrials;
        return sweep;
    }

    /// <summary>
    /// An ended sweep as its <c>sweep.json</c> recorded it, to be extended: its first <paramref name="planned"/> trials (a later
    /// <c>sweep.json</c> may hold more), each ended, with the curves the pruner ranks against (none from files older than curves).
    /// The sampler sees them in index order (the order they finished in is not recorded).
    /// </summary>
    /// <param name="archive">Where its ended trials go (in memory when not given).</param>
    public static SweepState Resume(SweepSubmitted submitted, ExperimentSpec spec, IEnumerable<TrialDocument> trials, int planned, TrialArchive? archive = null)
    {
        var sweep = new SweepState(submitted, spec, archive);
        var (cancelled, endedAt) = (false, (DateTimeOffset?)null);
        foreach (var t in trials.Where(t => t.Index < planned).OrderBy(t => t.Index))
        {
            sweep.ArchiveRestored(t.Record());
            cancelled |= t.Status == TrialStatus.Cancelled;
            if (t.StartedAt?.AddSeconds(t.DurationSeconds ?? 0) is { } end && (endedAt is null || end > endedAt)) endedAt = end;
        }
        // Ended, as it was: cancelled when a trial was, ended when its last trial did.
        sweep.TotalTrials = sweep._planned;
        sweep.Status = cancelled ? SweepStatus.Cancelled : SweepStatus.Completed;
        sweep.EndedAt = endedAt ?? submitted.At;
        return sweep;
    }

    /// <summary>An ended trial from an older record (a snapshot that held every trial, a sweep.json) put into the archive and restored.</summary>
    private void ArchiveRestored(TrialSnapshot trial)
    {
        _archive.Add(trial);
        Restore(trial);
    }

    /// <summary>A trial read back into the archive: kept in memory as one that ended here, with its curve for the pruner.</summary>
    private void Restore(TrialSnapshot trial)
    {
        _planned = Math.Max(_planned, trial.Index + 1);
        Archived(trial);
        AddCurve(trial.Index, [.. trial.Epochs.Select(e => e.Value)]);
    }
}
