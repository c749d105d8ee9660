using System.Collections.Immutable;
using SweepCluster.Core.Results;

namespace SweepCluster.Core.Sweeps;

/// <summary>
/// An ended sweep as the coordinator keeps it once its <c>sweep.json</c> is written: the header, the best trial and the
/// first trials that failed or were retried, the same size however many trials it ran. Its trials are read back from
/// <c>sweep.json</c> when asked for (and stay in the journal).
/// </summary>
/// <param name="Troubled">The first <see cref="TroubledKept"/> trials that failed or were retried; <paramref name="TroubledCount"/> counts them all.</param>
/// <param name="ClientToken">The token of the submission that started it: a repeated submission still gets this sweep.</param>
/// <param name="Submitted">Its submission (experiment, seed, epochs), for sweeps started from it (<c>sweep confirm</c>); null in snapshots written before it was kept.</param>
public sealed record FinishedSweep(SweepOverview Overview, ImmutableArray<TrialSnapshot> Troubled, int TroubledCount, string? ClientToken, SweepSubmitted? Submitted = null)
{
    public const int TroubledKept = 20;

    public string Id => Overview.Header.Id;

    public static FinishedSweep Of(SweepState sweep)
    {
        var (troubled, count) = sweep.Troubled();
        return new FinishedSweep(sweep.Overview(), troubled, count, sweep.Submitted.ClientToken, sweep.Submitted);
    }

    public FinishedSweepMemento ToMemento() =>
        new(Overview.Header, Overview.Best, Troubled, TroubledCount, ClientToken, Submitted);

    public static FinishedSweep FromMemento(FinishedSweepMemento m) =>
        new(new SweepOverview(m.Header, m.Best), m.Troubled, m.TroubledCount, m.ClientToken, m.Submitted);

    /// <summary>Every trial as <c>sweep.json</c> records it, best first.</summary>
    /// <exception cref="IOException">The file is gone or cannot be read; the message names it.</exception>
    public IReadOnlyList<TrialDocument> ReadTrials()
    {
        try
        {
            return [.. TrialOrder.BestFirst(RunFolders.ReadTrials(Overview.Header.RunDirectory), Overview.Header.Metric, t => (t.Status, t.Metrics, t.Index))];
        }
        catch (IOException e)
        {
            throw new IOException($"the trials of ended sweep {Id} are read from its sweep.json, which failed: {e.Message}", e);
        }
    }
}
