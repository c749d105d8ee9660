using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using SweepCluster.Node.Text;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Core.Results;

namespace SweepCluster.Node.Endpoint;

/// <summary>
/// The palettes' commands (<see cref="Palettes"/> lists them), carried out on this node: sweep commands go to the coordinator singleton through its
/// proxy (so any node answers them), cluster commands to this node's view of the membership.
/// </summary>
internal sealed class CommandHandlers(ActorSystem system, ActorRegistry registry)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private Task<T> Ask<T>(object message) => registry.Get<SweepCoordinator>().Ask<T>(message, AskTimeout);

    public async Task<CommandResult> Submit(CommandInput input)
    {
        var (s, source) = (input.Switches, input.Source);
        int? trials = null, epochs = null;
        if (s.TryGetValue("trials", out var t) && (trials = PositiveInt(t)) is null) return CommandResult.Invalid($"--trials needs a whole number >= 1 (got '{t}')");
        if (s.TryGetValue("epochs", out var e) && (epochs = PositiveInt(e)) is null) return CommandResult.Invalid($"--epochs needs a whole number >= 1 (got '{e}')");
        var reply = await Ask<object>(new SubmitSweep(s["file"], source ?? "experiment.yml", trials, Name: s.GetValueOrDefault("name"), Epochs: epochs, ClientToken: s.GetValueOrDefault("token")));
        return reply switch
        {
            SweepAccepted accepted => CommandResult.Ok(new SweepSubmission(accepted.Id, accepted.TotalTrials), accepted.Id + "\n"),
            SweepRejected rejected => CommandResult.Invalid($"{source}: the experiment is invalid", rejected.Errors),
            _ => CommandResult.Failed($"unexpected answer {reply.GetType().Name}"),
        };
    }

    public async Task<CommandResult> List()
    {
        var sweeps = (await Ask<SweepsListed>(new ListSweeps())).Sweeps;
        var text = new StringWriter();
        TextTable.Write(text, ["id", "name", "state", "done/total", "best", "started"],
        [
            .. sweeps.Select(s => (IReadOnlyList<string>)
            [
                s.Id, s.Name, Lower(s.Status), $"{s.Done}/{s.TotalTrials}",
                s.Best is { } b ? $"{SweepText.Format(b.Metrics[s.Metric.Name])} (trial {b.Index})" : "-",
                s.SubmittedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ]),
        ], new HashSet<int>());
        return CommandResult.Ok(new SweepList([.. sweeps.Select(s => new SweepListEntry(s))]), text.ToString());
    }

    public Task<CommandResult> Status(CommandInput input) => WithSweep(input, StatusOf);

    public Task<CommandResult> Best(CommandInput input) => WithSweep(input, BestOf);

    private async Task<CommandResult> WithSweep(CommandInput input, Func<SweepSnapshot, CommandResult> render)
    {
        var s = input.Switches;
        var sweep = (await Ask<SweepFound>(new GetSweep(s["id"]))).Sweep;
        return sweep is null ? CommandResult.Failed($"no sweep has the id '{s["id"]}' (sweep list shows them)") : render(sweep);
    }

    private static CommandResult StatusOf(SweepSnapshot sweep)
    {
        var text = new StringWriter();
        foreach (var line in SweepText.Progress(sweep)) text.WriteLine(line);
        var counts = sweep.Trials.GroupBy(t => t.Status).ToDictionary(g => g.Key, g => g.Count());
        text.WriteLine($"state {Lower(sweep.Status)}; trials: {sweep.Pending} pending, {sweep.Running} running, "
            + $"{counts.GetValueOrDefault(TrialStatus.Completed)} completed, {counts.GetValueOrDefault(TrialStatus.Failed)} failed, "
            + $"{counts.GetValueOrDefault(TrialStatus.Pruned)} pruned, {counts.GetValueOrDefault(TrialStatus.Cancelled)} cancelled");
        foreach (var failed in sweep.Trials.Where(t => t.Status == TrialStatus.Failed)) text.WriteLine($"  trial {failed.Index} failed: {failed.Reason}");
        foreach (var retried in sweep.Trials.Where(t => t.Status != TrialStatus.Failed && t.FailedAttempts.Length > 0))
            text.WriteLine($"  trial {retried.Index} retried ({string.Join("; ", retried.FailedAttempts)})");
        return CommandResult.Ok(new SweepStatusDocument(sweep), text.ToString());
    }

    public Task<CommandResult> Trials(CommandInput input)
    {
        var s = input.Switches;
        int? top = null;
        if (s.TryGetValue("top", out var k) && (top = PositiveInt(k)) is null) return Task.FromResult(CommandResult.Invalid($"--top needs a whole number >= 1 (got '{k}')"));
        TrialStatus? state = null;
        if (s.TryGetValue("state", out var name))
        {
            if (!Enum.TryParse<TrialStatus>(name, ignoreCase: true, out var parsed) || int.TryParse(name, out _))
                return Task.FromResult(CommandResult.Invalid($"--state takes pending, running, completed, failed, pruned or cancelled (got '{name}')"));
            state = parsed;
        }
        return WithSweep(input, sweep =>
        {
            var trials = sweep.ByMetric().Where(t => state is null || t.Status == state).Take(top ?? int.MaxValue).ToList();
            var text = new StringWriter();
            SweepResultWriter.WriteTrials(text, sweep, trials);
            return CommandResult.Ok(new TrialList([.. trials.Select(TrialDocument.Of)]), text.ToString());
        });
    }

    private static CommandResult BestOf(SweepSnapshot sweep)
    {
        if (sweep.Best is not { } best) return CommandResult.Failed($"sweep {sweep.Id} has no completed trial yet");
        var text = new StringWriter();
        SweepText.WriteBest(text, best, "trial");
        return CommandResult.Ok(BestTrial.Of(best)!, text.ToString());
    }

    public async Task<CommandResult> Cancel(CommandInput input)
    {
        var s = input.Switches;
        var reply = await Ask<SweepCancelAccepted>(new CancelSweep(s["id"]));
        if (!reply.Found) return CommandResult.Failed(reply.Message);
        return CommandResult.Ok(new SweepCancellation(reply.Id, reply.Message), reply.Message + "\n");
    }

    public CommandResult ClusterShow()
    {
        var state = Akka.Cluster.Cluster.Get(system).State;
        var members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();
        var text = new StringWriter();
        foreach (var m in members)
            text.WriteLine($"{m.Address} | [{string.Join(",", m.Roles.Order(StringComparer.Ordinal))}] | {Lower(m.Status)} |{(state.Unreachable.Contains(m) ? " unreachable" : "")}");
        text.WriteLine($"Count: {members.Count} nodes");
        return CommandResult.Ok(new ClusterMembers(
            [.. members.Select(m => new ClusterMember(m.Address.ToString(), [.. m.Roles.Order(StringComparer.Ordinal)], Lower(m.Status), !state.Unreachable.Contains(m)))]),
            text.ToString());
    }

    public CommandResult ClusterLeader()
    {
        var leader = Akka.Cluster.Cluster.Get(system).State.Leader;
        return leader is null
            ? CommandResult.Failed("the cluster has no leader yet")
            : CommandResult.Ok(new ClusterLeader(leader.ToString()), leader + "\n");
    }

    public CommandResult ChangeMember(CommandInput input, bool leave)
    {
        var s = input.Switches;
        string normalized;
        try
        {
            normalized = NodeAddress.Normalize(s["address"]);
        }
        catch (FormatException e)
        {
            return CommandResult.Invalid(e.Message);
        }
        var cluster = Akka.Cluster.Cluster.Get(system);
        var member = cluster.State.Members.FirstOrDefault(m => m.Address.ToString() == normalized);
        if (member is null) return CommandResult.Failed($"no member at {normalized} (cluster show lists them)");
        if (leave) cluster.Leave(member.Address);
        else cluster.Down(member.Address);
        var message = $"{(leave ? "leaving" : "downing")} {normalized}";
        return CommandResult.Ok(new MemberChange(normalized, leave ? "leave" : "down"), message + "\n");
    }

    public async Task<CommandResult> NodeShow()
    {
        var workers = (await Ask<WorkersListed>(new GetWorkers())).Workers;
        var text = new StringWriter();
        TextTable.Write(text, ["worker", "gpus", "cpu slots", "trials done", "running"],
        [
            .. workers.Select(w => (IReadOnlyList<string>)
            [
                w.Node,
                w.Gpus.IsEmpty ? "none" : string.Join(" ", w.Gpus.Select(g => $"{g}:{w.GpuBusy.GetValueOrDefault(g):0.##}")),
                $"{w.CpuBusy:0.##}/{w.CpuSlots:0.##}",
                w.TrialsDone.ToString(CultureInfo.InvariantCulture),
                w.Running.IsEmpty ? "-" : string.Join("; ", w.Running),
            ]),
        ], new HashSet<int> { 3 });
        return CommandResult.Ok(new WorkerList([.. workers.Select(w => new WorkerDocument(w.Node, w.Gpus, w.CpuSlots, w.CpuBusy, w.Running, w.TrialsDone))]), text.ToString());
    }

    private static int? PositiveInt(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1 ? value : null;

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
