using System.Collections.Immutable;
using Akka.Actor;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Cluster.Coordinator;

// The read queries: status, trials, points and one trial, from the live state or an ended sweep's files.
public sealed partial class SweepCoordinator
{
    /// <summary>The trials of the ended sweep last asked for, read from its sweep.json, kept while someone pages through them.</summary>
    private (string Id, IReadOnlyList<TrialDocument> Trials, IReadOnlyList<TrialDocument>? ByIndex, DateTimeOffset LastUsed)? _endedTrials;
    private static readonly TimeSpan EndedTrialsKept = TimeSpan.FromMinutes(1);
    /// <summary>Ended sweeps whose sweep.json is being read, and the queries waiting for it with whom to answer.</summary>
    private readonly Dictionary<string, List<(IActorRef ReplyTo, Func<object> Answer)>> _endedReads = [];
    /// <summary>Set while the queries that waited for a sweep.json that could not be read are answered with why.</summary>
    private (string Id, string Error)? _failedRead;

    private SweepStatusFound StatusOf(string id)
    {
        if (_ended.TryGetValue(id, out var ended)) return new SweepStatusFound(ended.Overview, [], ended.Troubled, ended.TroubledCount);
        if (_sweeps.GetValueOrDefault(id)?.State is not { } sweep) return new SweepStatusFound(null, [], [], 0);
        var (troubled, count) = sweep.Troubled();
        return new SweepStatusFound(sweep.Overview(_options.Now), [.. sweep.Running.OrderBy(t => t.Index).Select(t => t.Snapshot())], troubled, count);
    }

    private TrialsFound TrialsOf(GetTrials query)
    {
        SweepOverview overview;
        IEnumerable<TrialDocument> trials;
        if (_ended.TryGetValue(query.Id, out var ended))
        {
            overview = ended.Overview;
            try
            {
                trials = EndedTrials(ended, query.ByIndex);
            }
            catch (IOException e)
            {
                return new TrialsFound(overview, [], 0, e.Message);
            }
        }
        else if (_sweeps.TryGetValue(query.Id, out var sweep))
        {
            overview = sweep.State.Overview();
            try
            {
                // In index order a page is read straight from the sweep's records: no copy of every trial per page.
                if (query.ByIndex)
                    return Page(overview, [.. sweep.TrialsByIndex(query.State, query.Offset).Take(Math.Clamp(query.Limit, 0, GetTrials.MaxLimit)).Select(TrialDocument.Of)],
                        query, sweep.State.CountTrials(query.State));
                trials = [.. sweep.Snapshot().ByMetric().Select(TrialDocument.Of)];
            }
            catch (IOException e)
            {
                return new TrialsFound(overview, [], 0, e.Message);
            }
        }
        else return new TrialsFound(null, [], 0);
        IReadOnlyList<TrialDocument> matching = query.State is null ? trials as IReadOnlyList<TrialDocument> ?? [.. trials] : [.. trials.Where(t => t.Status == query.State)];
        return Page(overview, matching.Skip(query.Offset).Take(Math.Clamp(query.Limit, 0, GetTrials.MaxLimit)), query, matching.Count);
    }

    private PointsFound PointsOf(GetPoints query)
    {
        SweepOverview overview;
        IEnumerable<(int Index, TrialStatus Status, IReadOnlyDictionary<string, double> Metrics, ParamValue.Map Params)> trials;
        int total;
        if (_ended.TryGetValue(query.Id, out var ended))
        {
            try
            {
                var all = EndedTrials(ended, byIndex: true);
                (overview, trials, total) = (ended.Overview, all.Skip(query.Offset).Select(t => (t.Index, t.Status, (IReadOnlyDictionary<string, double>)t.Metrics, t.Params)), all.Count);
            }
            catch (IOException e)
            {
                return new PointsFound(ended.Overview, [], 0, e.Message);
            }
        }
        else if (_sweeps.TryGetValue(query.Id, out var sweep))
            (overview, trials, total) = (sweep.State.Overview(), sweep.TrialsByIndex(skip: query.Offset).Select(t => (t.Index, t.Status, (IReadOnlyDictionary<string, double>)t.Metrics, t.Params)),
                sweep.State.PlannedCount);
        else return new PointsFound(null, [], 0);
        var metric = overview.Header.Metric.Name;
        var page = ImmutableArray.CreateBuilder<TrialPoint>();
        var bytes = 0;
        try
        {
            foreach (var t in trials)
            {
                bytes += 60 + (int)(1.5 * t.Params.ToString().Length); // JSON of the parameters is about their text, quoted
                if (bytes > GetPoints.MaxBytes && page.Count > 0) break;
                page.Add(new TrialPoint(t.Index, t.Status,
                    t.Status is TrialStatus.Completed or TrialStatus.Pruned && t.Metrics.TryGetValue(metric, out var v) ? v : null, t.Params));
            }
        }
        catch (IOException e)
        {
            return new PointsFound(overview, [], 0, e.Message);
        }
        return new PointsFound(overview, page.ToImmutable(), total);
    }

    private static TrialsFound Page(SweepOverview overview, IEnumerable<TrialDocument> page, GetTrials query, int matching) =>
        new(overview, [.. query.WithCurves ? FitCurves(page) : page.Select(t => t with { Curve = null })], matching);

    /// <summary>The trials of a page with their curves, as many as fit a frame (at least one).</summary>
    private static IEnumerable<TrialDocument> FitCurves(IEnumerable<TrialDocument> page)
    {
        var points = 0;
        foreach (var trial in page)
        {
            points += trial.Curve?.Length ?? 0;
            if (points > GetTrials.MaxCurvePoints && points > (trial.Curve?.Length ?? 0)) yield break;
            yield return trial;
        }
    }

    private TrialFound TrialOf(GetTrial query)
    {
        var overview = _sweeps.GetValueOrDefault(query.Id)?.State.Overview() ?? _ended.GetValueOrDefault(query.Id)?.Overview;
        if (overview is null) return new TrialFound(null, null);
        try
        {
            return new TrialFound(overview, _sweeps.TryGetValue(query.Id, out var sweep)
                ? sweep.FindTrial(query.Index) is { } trial ? TrialDocument.Of(trial) : null
                : EndedTrials(_ended[query.Id]).FirstOrDefault(t => t.Index == query.Index));
        }
        catch (IOException e)
        {
            return new TrialFound(overview, null, e.Message);
        }
    }

    /// <summary>
    /// Answers the query now, or, when it is about an ended sweep whose trials are not at hand, once its sweep.json is read on a
    /// pool thread (100,000 trials take a second, which no other sweep waits for); queries meanwhile wait for the same reading.
    /// </summary>
    private void Answer(string id, Func<object> answer)
    {
        if (!_ended.TryGetValue(id, out var ended) || _endedTrials?.Id == id)
        {
            Sender.Tell(answer());
            return;
        }
        if (_endedReads.TryGetValue(id, out var waiting))
        {
            waiting.Add((Sender, answer));
            return;
        }
        _endedReads[id] = [(Sender, answer)];
        Task.Run(ended.ReadTrials).PipeTo(Self, success: trials => new EndedTrialsRead(id, trials, null),
            failure: error => new EndedTrialsRead(id, null, ((error as AggregateException)?.InnerException ?? error).Message));
    }

    /// <summary>An ended sweep's trials are read (or cannot be): the queries that waited are answered.</summary>
    private void Read(EndedTrialsRead read)
    {
        if (!_endedReads.Remove(read.Id, out var waiting)) return;
        _endedTrials = read.Trials is null ? null : (read.Id, read.Trials, null, _options.Now);
        _failedRead = read.Error is null ? null : (read.Id, read.Error);
        foreach (var (replyTo, answer) in waiting) replyTo.Tell(answer());
        _failedRead = null;
    }

    /// <summary>The ended sweep's trials best first, or by index: each order made once while someone pages through them.</summary>
    /// <exception cref="IOException">Its sweep.json cannot be read; the message names the file.</exception>
    private IReadOnlyList<TrialDocument> EndedTrials(FinishedSweep sweep, bool byIndex = false)
    {
        if (_failedRead is { } failed && failed.Id == sweep.Id) throw new IOException(failed.Error);
        var now = _options.Now;
        if (_endedTrials is not { } cached || cached.Id != sweep.Id) cached = (sweep.Id, sweep.ReadTrials(), null, now);
        if (byIndex && cached.ByIndex is null) cached.ByIndex = [.. cached.Trials.OrderBy(t => t.Index)];
        _endedTrials = cached with { LastUsed = now };
        return byIndex ? cached.ByIndex! : cached.Trials;
    }

    /// <summary>An ended sweep's trials read off the actor's thread, or why they cannot be. Sent by the coordinator to itself.</summary>
    internal sealed record EndedTrialsRead(string Id, IReadOnlyList<TrialDocument>? Trials, string? Error) : INoSerializationVerificationNeeded;
}
