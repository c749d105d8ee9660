using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sweeps;

/// <summary>
/// A sweep as the coordinator holds it while it runs: its <see cref="SweepState"/>, which decides and touches no file, and the
/// <see cref="TrialArchive"/> that the trials it ends are written to and read back from to answer queries.
/// </summary>
public sealed class ArchivedSweep : IDisposable
{
    private readonly TrialArchive _archive;

    /// <summary>The sweep, with the trials it has ended so far written to <paramref name="archive"/>.</summary>
    /// <exception cref="IOException">The archive cannot be written; the message names the file.</exception>
    public ArchivedSweep(SweepState state, TrialArchive archive)
    {
        State = state;
        _archive = archive;
        Archive();
    }

    /// <summary>A new sweep whose ended trials stay in memory (where no file can be written, and in tests).</summary>
    public ArchivedSweep(SweepState state) : this(state, TrialArchive.InMemory())
    {
    }

    public SweepState State { get; }

    public string Id => State.Id;

    /// <exception cref="IOException">A trial the event ended cannot be written to the archive; the message names the file.</exception>
    public void Apply(ISweepEvent e)
    {
        State.Apply(e);
        Archive();
    }

    private void Archive()
    {
        foreach (var trial in State.TakeEnded()) _archive.Add(trial);
    }

    /// <summary>The sweep as <see cref="ToMemento"/> saw it: the same as replaying every event up to then.</summary>
    /// <param name="newArchive">Where the ended trials of a snapshot that holds them itself go (in memory when not given).</param>
    /// <exception cref="IOException">The snapshot's archive is missing, shorter than it recorded, or unreadable; the message names it.</exception>
    public static ArchivedSweep FromMemento(SweepMemento memento, ExperimentSpec spec, Func<TrialArchive>? newArchive = null)
    {
        var state = new SweepState(memento.Submitted, spec);
        var archive = memento.ArchivedLength is { } length
            ? TrialArchive.Reopen(memento.Submitted.RunDirectory, memento.ArchivedIn ?? TrialArchive.FileName, length, state.RestoreEnded)
            : newArchive?.Invoke() ?? TrialArchive.InMemory();
        state.Restore(memento);
        return new ArchivedSweep(state, archive);
    }

    /// <summary>For a journal snapshot: the state, and where the archive's file has got to (or its trials, when it is in memory).</summary>
    public SweepMemento ToMemento() => _archive.Mark() is { } mark ? State.ToMemento(mark, []) : State.ToMemento(null, [.. _archive.ReadAll()]);

    /// <summary>The trials a journal snapshot of the sweep copies: those not ended, and the ended ones too when its archive is in memory.</summary>
    public int HeldInSnapshot => State.LiveCount + _archive.HeldInMemory;

    /// <summary>The trial, once it has been planned.</summary>
    /// <exception cref="IOException">It has ended and its archive cannot be read; the message names the file.</exception>
    public TrialSnapshot? FindTrial(int index) => State.LiveTrial(index) ?? (State.HasEnded(index) ? _archive.Read(index) : null);

    /// <summary>
    /// The planned trials in index order (those in <paramref name="state"/> only, when given), after the first <paramref name="skip"/>
    /// of them; ended ones are read from the archive as the enumeration reaches them.
    /// </summary>
    /// <exception cref="IOException">An ended trial's archive cannot be read; the message names the file.</exception>
    public IEnumerable<TrialSnapshot> TrialsByIndex(TrialStatus? state = null, int skip = 0)
    {
        for (var index = 0; index < State.PlannedCount; index++)
        {
            if (state is { } wanted && State.StatusOf(index) != wanted) continue;
            if (skip-- > 0) continue;
            yield return FindTrial(index)!;
        }
    }

    /// <summary>The whole sweep, its ended trials read back from the archive.</summary>
    /// <exception cref="IOException">The archive cannot be read; the message names the file.</exception>
    public SweepSnapshot Snapshot() => State.Snapshot(_archive.ReadAll());

    public void Dispose() => _archive.Dispose();
}
