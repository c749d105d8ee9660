using System.Collections.Immutable;
using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Core.Files;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;
using SweepCluster.Node.Text;

namespace SweepCluster.Node.Endpoint;

/// <summary>
/// The palettes' commands (<see cref="Palettes"/> lists them), carried out on this node: sweep commands go to the coordinator singleton through its
/// proxy (so any node answers them), cluster commands to this node's view of the membership.
/// </summary>
/// <param name="codeFolder">Where this node keeps the code packages sent to it.</param>
internal sealed partial class CommandHandlers(ActorSystem system, ActorRegistry registry, string codeFolder)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private Task<T> Ask<T>(object message) => registry.Get<SweepCoordinator>().Ask<T>(message, AskTimeout);

    public async Task<CommandResult> Submit(CommandInput input)
    {
        var source = input.Source;
        ImmutableArray<string>? warmStart = input.Optional("warm-start") is { } w ? [.. w.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : null;
        var (codeDirectory, package, spec, invalid) = CodeOf(input.Text("file"), source ?? "experiment.yml", input.Optional("code"), input.Optional(EndpointOptions.CodePackageSwitch));
        if (invalid is not null) return invalid;
        if (spec is not null && Training.Trainers.NetworkSettings.ProblemIn(spec) is { } problem)
            return CommandResult.Invalid($"{source}: the experiment is invalid", [$"run: {problem}"]);
        var reply = await Ask<object>(new SubmitSweep(input.Text("file"), source ?? "experiment.yml", input.Number("trials"), Name: input.Optional("name"),
            Epochs: input.Number("epochs"), ClientToken: input.Optional("token"), WarmStart: warmStart, CodeDirectory: codeDirectory, CodePackage: package));
        return reply switch
        {
            // The text is the id alone, for scripts; sweep status shows what a warm start used.
            SweepAccepted accepted => CommandResult.Ok(new SweepSubmission(accepted.Id, accepted.TotalTrials) { WarmStart = accepted.WarmStart }, accepted.Id + "\n"),
            SweepRejected rejected => CommandResult.Invalid($"{source}: the experiment is invalid", rejected.Errors),
            _ => CommandResult.Failed($"unexpected answer {reply.GetType().Name}"),
        };
    }

    /// <summary>
    /// Where the sweep's commands run, when <c>run:</c> names the submitter's program: the folder (as the submitter named it) and,
    /// when it was sent along, its package. The package's files (or the folder's, where this node sees it) decide whether a built-in
    /// trainer's name is the user's own script, and are checked; with neither, a built-in name means the built-in and anything else
    /// is taken as the submitter's program at that path on the workers.
    /// </summary>
    private (string? Folder, string? Package, ExperimentSpec? Spec, CommandResult? Invalid) CodeOf(string yaml, string source, string? folder, string? package)
    {
        if (folder is null && package is null) return (null, null, ExperimentSpecParser.Parse(yaml, source).Spec, null);
        CodeFolder? code;
        if (package is not null)
        {
            var file = Cluster.Code.CodeStore.PackageFile(codeFolder, package);
            if (!Cluster.Code.CodeStore.IsHash(package) || !File.Exists(file))
                return (null, null, null, CommandResult.Invalid($"this node holds no code package '{package}': send it first (PUT {EndpointOptions.CodeRoute}; sweepctl does)"));
            code = new CodeFolder(folder ?? "(the sweep's code package)", Files: Core.Code.CodePackage.List(File.ReadAllBytes(file)));
        }
        else code = Directory.Exists(folder) ? new CodeFolder(folder!) : null;
        if (code is null)
            return ExperimentSpecParser.Parse(yaml, source).Spec is { } plain ? (null, null, plain, null) : (folder, null, null, null);
        var parsed = ExperimentSpecParser.Parse(yaml, source, code);
        return parsed.Spec is { } spec
            ? (spec.CodeDirectory, spec.RunsCommands ? package : null, spec, null)
            : (null, null, null, CommandResult.Invalid($"{source}: the experiment is invalid", [.. parsed.Errors.Select(e => e.ToString())]));
    }

    public async Task<CommandResult> Confirm(CommandInput input)
    {
        var reply = await Ask<object>(new ConfirmSweep(input.Text("id"), input.Number("top")!.Value, input.Number("seeds")!.Value, input.Optional("token")));
        return reply switch
        {
            SweepAccepted accepted => CommandResult.Ok(new SweepSubmission(accepted.Id, accepted.TotalTrials), accepted.Id + "\n"),
            SweepRejected rejected => CommandResult.Failed(string.Join("; ", rejected.Errors)),
            _ => CommandResult.Failed($"unexpected answer {reply.GetType().Name}"),
        };
    }

    /// <summary><c>--set DIMENSION=VALUE</c>, once per dimension.</summary>
    public async Task<CommandResult> Enqueue(CommandInput input)
    {
        var id = input.Text("id");
        var values = ImmutableDictionary.CreateBuilder<string, string>();
        foreach (var line in input.All("set"))
        {
            if (line.Split('=', 2) is not [{ Length: > 0 } path, var value]) return CommandResult.Invalid($"--set takes DIMENSION=VALUE, like lr=0.002 (got '{line}')");
            if (!values.TryAdd(path.Trim(), value.Trim())) return CommandResult.Invalid($"--set gives {path.Trim()} twice");
        }
        var reply = await Ask<object>(new EnqueueTrial(id, values.ToImmutable()));
        return reply switch
        {
            TrialEnqueueAccepted accepted => CommandResult.Ok(new TrialEnqueuing(accepted.Id, values.ToImmutable(), accepted.Ahead),
                $"sweep {accepted.Id}: {string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"))} runs "
                + (accepted.Ahead == 0 ? "next\n" : $"after the {accepted.Ahead} configurations enqueued before it\n")),
            SweepRejected rejected => CommandResult.Invalid($"sweep {id}: the configuration is refused", rejected.Errors),
            _ => CommandResult.Failed($"unexpected answer {reply.GetType().Name}"),
        };
    }

    /// <summary><c>--trials +N</c>: the trials to add (the plus sign says so; a bare N means the same).</summary>
    public async Task<CommandResult> Extend(CommandInput input)
    {
        var (id, added) = (input.Text("id"), input.Number("trials")!.Value);
        if (!input.Flag("allow-changed-data") && await ChangedData(id) is { } changed) return CommandResult.Failed(changed);
        var reply = await Ask<object>(new ExtendSweep(id, added));
        return reply switch
        {
            SweepExtensionAccepted accepted => CommandResult.Ok(new SweepExtension(accepted.Id, added, accepted.TotalTrials),
                $"sweep {accepted.Id}: {added} more trials, {accepted.TotalTrials} in all\n"),
            SweepRejected rejected => CommandResult.Invalid($"sweep {id} cannot be extended", rejected.Errors),
            _ => CommandResult.Failed($"unexpected answer {reply.GetType().Name}"),
        };
    }

    public async Task<CommandResult> Verdict(CommandInput input)
    {
        var found = await Ask<ConfirmationFound>(new GetConfirmation(input.Text("id")));
        if (found.Sweep is not { } sweep) return NoSweep(input);
        if (found.Verdict is not { } verdict) return CommandResult.Failed(found.Problem ?? "no verdict");
        var text = new StringWriter();
        SweepText.WriteVerdict(text, verdict, sweep.Header);
        return CommandResult.Ok(verdict, text.ToString());
    }

    public async Task<CommandResult> List()
    {
        // Page by page, as sweep trials: each answer from the coordinator fits a frame however many sweeps it has run.
        var sweeps = new List<SweepOverview>();
        SweepsListed page;
        do
        {
            page = await Ask<SweepsListed>(new ListSweeps(sweeps.Count));
            sweeps.AddRange(page.Sweeps);
        }
        while (page.Sweeps.Length > 0 && sweeps.Count < page.Total);
        var text = new StringWriter();
        TextTable.Write(text, ["id", "name", "state", "done/total", "best", "started"],
        [
            .. sweeps.Select(o => (IReadOnlyList<string>)
            [
                o.Header.Id, o.Header.Name, Lower(o.Header.State), $"{o.Header.Done}/{o.Header.TotalTrials}",
                o.Best is { } b ? $"{SweepText.Format(b.Metrics[o.Header.Metric.Name])} (trial {b.Index})" : "-",
                o.Header.SubmittedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ]),
        ], new HashSet<int>());
        return CommandResult.Ok(new SweepList([.. sweeps.Select(s => new SweepListEntry(s))]), text.ToString());
    }

    public async Task<CommandResult> Status(CommandInput input)
    {
        var found = await Ask<SweepStatusFound>(new GetSweepStatus(input.Text("id")));
        if (found.Sweep is not { } sweep) return NoSweep(input);
        var text = new StringWriter();
        foreach (var line in SweepText.Progress(sweep, found.Running)) text.WriteLine(line);
        var (header, summary) = (sweep.Header, sweep.Header.Summary);
        text.WriteLine($"state {Lower(header.State)}; trials: {header.Pending} pending, {header.Running} running, "
            + $"{summary.Completed} completed, {summary.Failed} failed, {summary.Pruned} pruned, {summary.Cancelled} cancelled");
        if (header.StoppedBecause is { } why) text.WriteLine($"the sweep stopped itself: {why}");
        foreach (var trial in found.Troubled)
            text.WriteLine(trial.Status == TrialStatus.Failed
                ? $"  trial {trial.Index} failed: {trial.Reason}"
                : $"  trial {trial.Index} retried ({string.Join("; ", trial.FailedAttempts)})");
        if (found.TroubledCount > found.Troubled.Length)
            text.WriteLine($"  and {found.TroubledCount - found.Troubled.Length} more failed or retried trials (sweep trials -s failed)");
        foreach (var line in header.WarmStart is { } warm ? SweepText.WarmStart(warm) : []) text.WriteLine(line);
        return CommandResult.Ok(new SweepStatusDocument(sweep, found.Running), text.ToString());
    }

    public async Task<CommandResult> Best(CommandInput input)
    {
        var found = await Ask<SweepStatusFound>(new GetSweepStatus(input.Text("id")));
        if (found.Sweep is not { } sweep) return NoSweep(input);
        if (sweep.Best is not { } best) return CommandResult.Failed($"sweep {sweep.Header.Id} has no completed trial yet");
        var text = new StringWriter();
        SweepText.WriteBest(text, best, "trial");
        return CommandResult.Ok(BestTrial.Of(best)!, text.ToString());
    }

    private static CommandResult NoSweep(CommandInput input) => CommandResult.Failed($"no sweep has the id '{input.Text("id")}' (sweep list shows them)");

    public async Task<CommandResult> Trials(CommandInput input)
    {
        TrialStatus? state = input.Optional("state") is { } name ? Enum.Parse<TrialStatus>(name, ignoreCase: true) : null;
        var (sweep, trials, problem) = await AllTrials(input.Text("id"), state, input.Number("offset")!.Value, input.Number("top") ?? int.MaxValue,
            input.Flag("curves"), byIndex: input.Text("order") == "index");
        if (problem is not null) return problem;
        var text = new StringWriter();
        SweepResultWriter.WriteTrials(text, sweep!.Header.Metric, trials);
        return CommandResult.Ok(new TrialList(trials), text.ToString());
    }

    /// <summary>A sweep's trials from <paramref name="offset"/>, at most <paramref name="wanted"/>, fetched page by page: each answer from the coordinator stays small.</summary>
    private async Task<(SweepOverview? Sweep, List<TrialDocument> Trials, CommandResult? Problem)> AllTrials(string id, TrialStatus? state, int offset, int wanted, bool withCurves,
        bool byIndex = false)
    {
        var trials = new List<TrialDocument>();
        TrialsFound page;
        do
        {
            page = await Ask<TrialsFound>(new GetTrials(id, state, offset + trials.Count, Math.Min(GetTrials.MaxLimit, wanted - trials.Count), withCurves, byIndex));
            if (page.Sweep is null) return (null, trials, CommandResult.Failed($"no sweep has the id '{id}' (sweep list shows them)"));
            if (page.Unreadable is { } why) return (null, trials, CommandResult.Failed(why));
            trials.AddRange(page.Trials);
        }
        while (page.Trials.Length > 0 && trials.Count < Math.Min(wanted, page.Matching - offset));
        return (page.Sweep, trials, null);
    }

    /// <summary><c>sweep points</c>: every trial's index, status, metric value and parameters as columns, what the dashboard plots.</summary>
    public async Task<CommandResult> Points(CommandInput input)
    {
        var id = input.Text("id");
        var trials = new List<TrialPoint>();
        PointsFound page;
        do
        {
            page = await Ask<PointsFound>(new GetPoints(id, trials.Count));
            if (page.Sweep is null) return NoSweep(input);
            if (page.Unreadable is { } why) return CommandResult.Failed(why);
            trials.AddRange(page.Points);
        }
        while (page.Points.Length > 0 && trials.Count < page.Total);
        var leaves = trials.Select(t => t.Params.Leaves().ToDictionary(l => l.Name, l => l.Value)).ToList();
        var names = leaves.SelectMany(l => l.Keys).Distinct()
            .Where(name => leaves.Select(l => l.GetValueOrDefault(name)).Distinct().Skip(1).Any()).ToList(); // only what varies
        var experiment = await Ask<ExperimentFound>(new GetExperiment(id));
        var spec = experiment.SpecYaml is { } yaml
            ? ExperimentSpecParser.Parse(yaml, experiment.Source ?? "experiment.yml", CodeFolder.Submitted(experiment.CodeDirectory)).Spec
            : null;
        string[] logScaled = [.. (spec?.ParamSpace.Dimensions ?? []).Where(d => d.IsLogScaled).Select(d => d.Leaf).Intersect(names)];
        var metric = page.Sweep.Header.Metric.Name;
        var documents = trials.Select(t => new TrialDocument(t.Index, t.Status, 0, 0, t.Params,
            new MetricValues(t.Value is { } v ? [KeyValuePair.Create(metric, v)] : []), null, null, null, null, null, null, null, null)).ToList();
        var importance = new Core.Analysis.SearchAnalysis(new Core.Analysis.ReportSweep(page.Sweep.Header, documents, spec, null)).Importance;
        var points = new SweepPoints(id, metric, [.. trials.Select(t => t.Index)], [.. trials.Select(t => t.Status)], [.. trials.Select(t => t.Value)],
            names.ToDictionary(n => n, n => leaves.Select(l => l.GetValueOrDefault(n)?.AsPlain()).ToArray()), logScaled,
            [.. importance.Select(i => new ParameterImportance(i.Parameter, i.Importance))]);
        return CommandResult.Ok(points, $"sweep {id}: {trials.Count} trials, {names.Count} searched parameters\n");
    }

    /// <summary><c>sweep trial</c>: one trial with its curve.</summary>
    public async Task<CommandResult> Trial(CommandInput input)
    {
        var (id, n) = (input.Text("id"), input.Number("trial")!.Value);
        var found = await Ask<TrialFound>(new GetTrial(id, n));
        if (found.Sweep is null) return NoSweep(input);
        if (found.Trial is not { } trial) return CommandResult.Failed(found.Unreadable ?? $"sweep {id} has no trial {n} (yet)");
        var text = new StringWriter();
        text.WriteLine($"trial {trial.Index}: {Lower(trial.Status)}, attempt {trial.Attempt}{(trial.Reason is { } r ? $": {r}" : "")}");
        text.WriteLine($"  {SweepText.Parameters(trial.Params)}");
        if (await LineageOf(id, n) is not { } lineage) return CommandResult.Ok(trial, text.ToString());
        text.WriteLine($"  ran with SweepCluster {lineage.SweepCluster}{(lineage.Runtime is { } runtime ? $", {runtime}" : "")}"
            + (lineage.Data is { } data ? $", data {data.Folder} ({data.Files} files, sha256 {HashText.Short(data.Sha256)})" : ""));
        return CommandResult.Ok(trial with { Lineage = lineage }, text.ToString());
    }

    /// <summary>
    /// <c>sweep report</c>: each sweep's header, experiment and every trial with its curve, from which the client draws the
    /// report into its folder.
    /// </summary>
    public async Task<CommandResult> Report(CommandInput input)
    {
        var sources = new List<SweepReportSource>();
        var text = new StringWriter();
        foreach (var id in input.All("id").Distinct())
        {
            var (sweep, trials, problem) = await AllTrials(id, null, 0, int.MaxValue, withCurves: true);
            if (problem is not null) return problem;
            var experiment = await Ask<ExperimentFound>(new GetExperiment(id));
            sources.Add(new SweepReportSource(sweep!.Header, experiment.SpecYaml, experiment.Source, [.. trials.OrderBy(t => t.Index)], experiment.CodeDirectory));
            text.WriteLine($"sweep {id}: {trials.Count} trials");
        }
        return CommandResult.Ok(new SweepReportSources(sources), text.ToString());
    }

    /// <summary>A trial that has run, and its folder relative to the runs folder of the worker that ran it.</summary>
    private sealed record RanTrial(TrialDocument Trial, string Folder)
    {
        public string Node => Trial.Node!;
    }

    /// <summary>The trial, or why there is none to fetch artifacts of.</summary>
    private async Task<(RanTrial? Trial, CommandResult? Refusal)> Locate(string id, int number)
    {
        var found = await Ask<TrialFound>(new GetTrial(id, number));
        if (found.Sweep is not { } sweep) return (null, CommandResult.Failed($"no sweep has the id '{id}' (sweep list shows them)"));
        if (found.Unreadable is { } why) return (null, CommandResult.Failed(why));
        if (found.Trial is not { } trial) return (null, CommandResult.Failed($"sweep {id} has no trial {number} yet (its trials are 0 to {sweep.Header.TotalTrials - 1})"));
        if (trial.Node is null) return (null, CommandResult.Failed($"trial {number} of sweep {id} has not run yet"));
        return (new RanTrial(trial, RunFolders.Trial(sweep.Header.RunDirectory, number)), null);
    }

    private ActorSelection WorkerOf(RanTrial ran) => system.ActorSelection($"{ran.Node}/user/{ClusterNames.WorkerActor}");

    private static CommandResult Unreachable(RanTrial ran) =>
        CommandResult.Failed($"{ran.Node}, the worker that ran trial {ran.Trial.Index}, does not answer (has it left the cluster? node show lists the workers)");

    public async Task<CommandResult> Cancel(CommandInput input)
    {
        var reply = await Ask<SweepCancelAccepted>(new CancelSweep(input.Text("id")));
        if (!reply.Found) return CommandResult.Failed(reply.Message);
        return CommandResult.Ok(new SweepCancellation(reply.Id, reply.Message), reply.Message + "\n");
    }

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
