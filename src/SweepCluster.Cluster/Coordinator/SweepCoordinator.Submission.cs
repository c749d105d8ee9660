using Akka.Actor;
using Akka.Event;
using SweepCluster.Cluster.Telemetry;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Json;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Results;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Cluster.Coordinator;

// The sweep commands: submit, confirm, enqueue, extend and cancel, each checked and journalled as events.
public sealed partial class SweepCoordinator
{
    private void Submit(SubmitSweep command)
    {
        if (AnswerRepeated(command.ClientToken)) return;
        var parsed = ExperimentSpecParser.Parse(command.SpecYaml, command.Source, CodeFolder.Submitted(command.CodeDirectory));
        if (parsed.Spec is not { } spec)
        {
            Sender.Tell(new SweepRejected([.. parsed.Errors.Select(e => e.ToString())]));
            return;
        }
        var total = TrialPlanner.TotalTrials(spec, command.Trials);
        if (total > TrialPlanner.MaxTrials)
        {
            Sender.Tell(new SweepRejected([$"the sweep would run {total} trials; at most {TrialPlanner.MaxTrials} are allowed"]));
            return;
        }
        var (warmStart, problem) = WarmStartOf(spec, [.. spec.WarmStart ?? [], .. command.WarmStart ?? []]);
        if (problem is not null)
        {
            Sender.Tell(new SweepRejected([problem]));
            return;
        }
        var (id, name) = (NewSweepId(), command.Name ?? spec.Name);
        Begin(new SweepSubmitted(id, name, command.SpecYaml, command.Source, (int)total, command.Seed ?? spec.Seed, command.Epochs,
            false, RunDirectoryOf(name, id), _options.Now, command.ClientToken, WarmStart: warmStart, CodeDirectory: spec.CodeDirectory,
            CodePackage: spec.RunsCommands ? command.CodePackage : null));
    }

    /// <summary>
    /// The earlier sweeps' trials a new sweep starts from, or why it cannot: each source is a sweep id, or a run folder
    /// (a relative one in this node's runs folder) of a sweep this coordinator does not hold.
    /// </summary>
    private (WarmStartReport? Report, string? Problem) WarmStartOf(ExperimentSpec spec, IReadOnlyList<string> sources)
    {
        if (sources.Count == 0) return (null, null);
        var read = new List<WarmStartSource>();
        foreach (var source in sources.Distinct())
        {
            try
            {
                if (_sweeps.TryGetValue(source, out var live))
                    read.Add(new WarmStartSource(source, live.State.Spec.Metric, live.Snapshot().Trials.Select(TrialDocument.Of)));
                else if (_ended.TryGetValue(source, out var ended))
                    read.Add(new WarmStartSource(source, ended.Overview.Header.Metric, ended.ReadTrials()));
                else if (RunFolderNamed(source) is { } folder)
                {
                    var submitted = RunFolders.ReadSubmission(folder);
                    read.Add(new WarmStartSource(submitted.SweepId, (SpecOf(submitted) ?? throw new IOException($"the experiment in {folder} cannot be read by this version")).Metric,
                        RunFolders.ReadTrials(folder)));
                }
                else return (null, $"warm start: no sweep has the id '{source}', and the runs folder has no run folder '{source}'");
            }
            catch (IOException e)
            {
                return (null, $"warm start from {source}: {e.Message}");
            }
        }
        return WarmStart.Decide(spec, read);
    }

    /// <summary>
    /// The run folder a warm start names, inside the runs folder (unless <see cref="CoordinatorOptions.WarmStartAnywhere"/>): an
    /// absolute path or <c>..</c> elsewhere gets the same answer as a folder that is not there, so that no submission learns what
    /// else is on this node's disk.
    /// </summary>
    private string? RunFolderNamed(string source)
    {
        var runs = Path.GetFullPath(_options.RunsDirectory);
        var folder = Path.GetFullPath(Path.Combine(runs, source));
        var inside = Path.GetRelativePath(runs, folder) is var relative && relative != "." && !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative);
        return (inside || _options.WarmStartAnywhere) && Directory.Exists(folder) && new DirectoryInfo(folder).LinkTarget is null ? folder : null;
    }

    /// <summary>A submission repeated with its token (a retry after a timeout) is answered with the sweep it started.</summary>
    private bool AnswerRepeated(string? clientToken)
    {
        if (clientToken is null || !_sweepsByToken.TryGetValue(clientToken, out var earlier)) return false;
        Sender.Tell(new SweepAccepted(earlier, _ended.TryGetValue(earlier, out var ended) ? ended.Overview.Header.TotalTrials : _sweeps[earlier].State.TotalTrials));
        return true;
    }

    private static string NewSweepId() => Guid.NewGuid().ToString("N")[..8];

    private string RunDirectoryOf(string name, string id) => Path.GetFullPath(Path.Combine(_options.RunsDirectory, $"{Slug(name)}-{id}"));

    /// <summary>A recovered submission with its run folder in this coordinator's runs folder (<see cref="RunFolders.Relocated"/>).</summary>
    private SweepSubmitted Relocated(SweepSubmitted submitted) => submitted with { RunDirectory = RunFolders.Relocated(submitted.RunDirectory, _options.RunsDirectory) };

    /// <summary>The name as a folder name: letters and digits, at most 64 of them, so that any name makes a run folder the disk takes.</summary>
    private static string Slug(string name)
    {
        var slug = new string([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        while (slug.Contains("--", StringComparison.Ordinal)) slug = slug.Replace("--", "-", StringComparison.Ordinal);
        slug = slug[..Math.Min(slug.Length, 64)].TrimEnd('-');
        return slug.Length == 0 ? "sweep" : slug;
    }

    private void Begin(SweepSubmitted submitted)
    {
        var sender = Sender;
        if (Record(submitted, () => sender.Tell(new SweepAccepted(submitted.SweepId, submitted.TotalTrials, submitted.WarmStart?.Summary()))) is { } problem)
        {
            sender.Tell(new SweepRejected([$"the sweep cannot be recorded in the journal: {problem}"]));
            return;
        }
        var sweep = _sweeps[submitted.SweepId].State;
        StartSpan(sweep);
        // Every series a dashboard reads exists from the start: "no failures yet" shows as 0, not as missing data.
        var tags = SweepTags(sweep);
        SweepTelemetry.TrialsStarted.Add(0, tags);
        SweepTelemetry.TrialsRequeued.Add(0, tags);
        foreach (var status in SweepTelemetry.EndStatuses) SweepTelemetry.TrialsEnded.Add(0, With(tags, "status", status));
        _log.Info("sweep {0} '{1}' submitted: {2} trials of {3}", sweep.Id, sweep.Submitted.Name, sweep.Submitted.TotalTrials, sweep.Spec.Trainer);
        Schedule();
    }

    /// <summary>
    /// A new sweep of the source sweep's best configurations under new seeds: the same experiment, epochs and device rules,
    /// its trials planned from the configurations instead of sampled. Its seed derives from the source's, so confirming again
    /// repeats the same runs.
    /// </summary>
    private void Confirm(ConfirmSweep command)
    {
        if (AnswerRepeated(command.ClientToken)) return;
        var (source, best, problem) = ConfirmationSource(command);
        if (source is null || best is null)
        {
            Sender.Tell(new SweepRejected([problem!]));
            return;
        }
        var metric = SpecOf(source)!.Metric.Name;
        var plan = new ConfirmationPlan(command.Id, command.Seeds,
            [.. best.Select(t => new ConfirmedConfiguration(t.Index, t.Metrics[metric], t.Params))]);
        var (id, name) = (NewSweepId(), $"{source.Name} (confirm)");
        Begin(source with
        {
            SweepId = id,
            Name = name,
            TotalTrials = plan.TotalTrials,
            Seed = (long)(SplitMix64.Mix((ulong)source.Seed ^ 0x636f6e6669726dUL) >> 1),
            RunDirectory = RunDirectoryOf(name, id),
            At = _options.Now,
            ClientToken = command.ClientToken,
            Confirms = plan,
            WarmStart = null, // it runs its plan; nothing is sampled
        });
    }

    /// <summary>The sweep to confirm and its best completed trials, or why it cannot be confirmed.</summary>
    private (SweepSubmitted? Source, IReadOnlyList<TrialDocument>? Best, string? Problem) ConfirmationSource(ConfirmSweep command)
    {
        if (command.Top is < 1 or > ConfirmationPlan.MaxConfigurations)
            return (null, null, $"--top takes 1 to {ConfirmationPlan.MaxConfigurations} configurations (got {command.Top})");
        if (command.Seeds is < 1 or > ConfirmationPlan.MaxSeeds)
            return (null, null, $"--seeds takes 1 to {ConfirmationPlan.MaxSeeds} seeds per configuration (got {command.Seeds})");
        SweepSubmitted? source;
        IEnumerable<TrialDocument> trials;
        try
        {
            if (_sweeps.TryGetValue(command.Id, out var live)) (source, trials) = (live.State.Submitted, live.Snapshot().ByMetric().Select(TrialDocument.Of));
            else if (_ended.TryGetValue(command.Id, out var ended))
            {
                if (ended.Submitted is null)
                    return (null, null, $"sweep {command.Id} ended before coordinators kept the experiments of ended sweeps: submit its file again and confirm that sweep");
                (source, trials) = (ended.Submitted, EndedTrials(ended));
            }
            else return (null, null, $"no sweep has the id '{command.Id}' (sweep list shows them)");
        }
        catch (IOException e)
        {
            return (null, null, e.Message);
        }
        var metric = SpecOf(source)!.Metric.Name;
        // Distinct configurations: a grid point run several times is one configuration, confirmed once.
        var best = trials.Where(t => t.Status == TrialStatus.Completed && t.Metrics.ContainsKey(metric))
            .DistinctBy(t => System.Text.Json.JsonSerializer.Serialize(t.Params, SweepJson.Compact)).Take(command.Top).ToList();
        return best.Count == 0 ? (null, null, $"sweep {command.Id} has no completed trial to confirm yet") : (source, best, null);
    }

    private ConfirmationFound ConfirmationOf(string id)
    {
        SweepOverview overview;
        ConfirmationPlan? plan;
        IEnumerable<(int, TrialStatus, IReadOnlyDictionary<string, double>)> trials;
        if (_sweeps.TryGetValue(id, out var live))
        {
            (overview, plan) = (live.State.Overview(), live.State.Submitted.Confirms);
            try
            {
                trials = plan is null ? [] : [.. live.TrialsByIndex().Select(t => (t.Index, t.Status, (IReadOnlyDictionary<string, double>)t.Metrics))];
            }
            catch (IOException e)
            {
                return new ConfirmationFound(overview, null, e.Message);
            }
        }
        else if (_ended.TryGetValue(id, out var ended))
        {
            (overview, plan) = (ended.Overview, ended.Submitted?.Confirms);
            try
            {
                trials = plan is null ? [] : EndedTrials(ended).Select(t => (t.Index, t.Status, (IReadOnlyDictionary<string, double>)t.Metrics));
            }
            catch (IOException e)
            {
                return new ConfirmationFound(overview, null, e.Message);
            }
        }
        else return new ConfirmationFound(null, null);
        if (plan is null) return new ConfirmationFound(overview, null, $"sweep {id} is not a confirmation (sweep confirm starts one)");
        return new ConfirmationFound(overview, ConfirmationVerdict.Of(plan, overview.Header.Metric, trials.ToList()));
    }

    private void Enqueue(EnqueueTrial command)
    {
        if (_sweeps.GetValueOrDefault(command.Id)?.State is not { } sweep)
        {
            Sender.Tell(new SweepRejected([_ended.ContainsKey(command.Id) ? $"sweep {command.Id} has ended: nothing more runs in it" : $"no sweep has the id '{command.Id}'"]));
            return;
        }
        var (enqueued, errors) = sweep.DecideEnqueue(command.Values);
        if (enqueued is null)
        {
            Sender.Tell(new SweepRejected(errors));
            return;
        }
        var sender = Sender;
        var ahead = sweep.EnqueuedCount;
        Record(enqueued, () => sender.Tell(new TrialEnqueueAccepted(command.Id, ahead)));
        Schedule();
    }

    private void Extend(ExtendSweep command)
    {
        var (sweep, adopted, problem) = Extensible(command);
        var (extended, error) = sweep?.State.DecideExtend(command.Added, _options.Now, adopted) ?? (null, problem);
        if (sweep is null || extended is null)
        {
            Sender.Tell(new SweepRejected([error!]));
            return;
        }
        var wasEnded = sweep.State.IsEnded;
        if (!_sweeps.ContainsKey(sweep.Id))
        {
            _ended.Remove(sweep.Id);
            Add(sweep);
        }
        var sender = Sender;
        Record(extended, () => sender.Tell(new SweepExtensionAccepted(sweep.Id, extended.PreviousTrials, extended.TotalTrials)));
        if (wasEnded) StartSpan(sweep.State);
        _log.Info("sweep {0} extended by {1} trials to {2}", sweep.Id, command.Added, extended.TotalTrials);
        Schedule();
    }

    /// <summary>The sweep to extend: a running one, an ended one rebuilt from its sweep.json, or one of a run folder this coordinator does not hold.</summary>
    private (ArchivedSweep? Sweep, SweepSubmitted? Adopted, string? Problem) Extensible(ExtendSweep command)
    {
        if (_sweeps.TryGetValue(command.Id, out var live)) return (live, null, null);
        try
        {
            if (_ended.TryGetValue(command.Id, out var ended))
                return ended.Submitted is null
                    ? (null, null, $"sweep {command.Id} ended before coordinators kept the experiments of ended sweeps: it cannot be extended")
                    : (Rebuild(ended.Submitted, int.MaxValue), null, null);
            if (command.RunDirectory is not { } folder) return (null, null, $"no sweep has the id '{command.Id}' (sweep list shows them)");
            var adopted = RunFolders.ReadSubmission(folder) with { RunDirectory = Path.GetFullPath(folder) };
            if (adopted.SweepId != command.Id) return (null, null, $"{folder} holds sweep {adopted.SweepId}, not {command.Id}");
            return (Rebuild(adopted, int.MaxValue), adopted, null);
        }
        catch (IOException e)
        {
            return (null, null, e.Message);
        }
    }

    /// <summary>An ended sweep with its first <paramref name="planned"/> trials, from its sweep.json.</summary>
    /// <exception cref="IOException">The sweep.json cannot be read, or holds an experiment this version rejects.</exception>
    private ArchivedSweep Rebuild(SweepSubmitted submitted, int planned) => ArchivedSweep.FromMemento(
        SweepState.EndedAsRecorded(submitted, RunFolders.ReadTrials(submitted.RunDirectory), planned),
        SpecOf(submitted) ?? throw new IOException($"sweep {submitted.SweepId}'s experiment cannot be read by this version"),
        () => NewArchive(submitted, TrialArchive.ResumedFileName(planned)));

    /// <summary>
    /// Where a running sweep's ended trials go: <c>trials.jsonl</c> in its run folder, or memory (and every journal snapshot)
    /// when that cannot be written.
    /// </summary>
    private TrialArchive NewArchive(SweepSubmitted submitted, string fileName = TrialArchive.FileName)
    {
        try
        {
            return TrialArchive.InFile(submitted.RunDirectory, fileName);
        }
        catch (IOException e)
        {
            _log.Warning("sweep {0} keeps its ended trials in memory: {1}", submitted.SweepId, e.Message);
            return TrialArchive.InMemory();
        }
    }

    private void Cancel(CancelSweep command)
    {
        if (_ended.TryGetValue(command.Id, out var ended))
        {
            Sender.Tell(new SweepCancelAccepted(command.Id, true, $"sweep {command.Id} had already ended ({ended.Overview.Header.State.ToString().ToLowerInvariant()})"));
            return;
        }
        if (_sweeps.GetValueOrDefault(command.Id)?.State is not { } sweep)
        {
            Sender.Tell(new SweepCancelAccepted(command.Id, false, $"no sweep has the id '{command.Id}'"));
            return;
        }
        if (sweep.IsEnded)
        {
            Sender.Tell(new SweepCancelAccepted(command.Id, true, $"sweep {command.Id} had already ended ({sweep.Status.ToString().ToLowerInvariant()})"));
            return;
        }
        var sender = Sender;
        var running = Stop(sweep, reason: null);
        DeferAsync(running, _ => sender.Tell(new SweepCancelAccepted(command.Id, true, $"sweep {command.Id}: {running} running trials are being stopped, pending ones dropped")));
    }

    /// <summary>Cancels a sweep (a user's reason is none; a sweep that stops itself says why): its running trials are told to stop once that is journalled.</summary>
    /// <returns>How many trials were running.</returns>
    private int Stop(SweepState sweep, string? reason)
    {
        var running = sweep.Running.ToList();
        Record(new SweepCancelled(sweep.Id, _options.Now, reason), () =>
        {
            foreach (var trial in running) TellWorker(trial.Worker, new CancelTrial(sweep.Id, trial.Index, trial.Attempt));
        });
        _gaugesStale = true;
        return running.Count;
    }
}
