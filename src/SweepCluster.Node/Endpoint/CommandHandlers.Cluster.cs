using System.Collections.Immutable;
using System.Globalization;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Node.Text;

namespace SweepCluster.Node.Endpoint;

// The cluster and node palettes: this node's view of the membership, and the workers' offers.
internal sealed partial class CommandHandlers
{
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
        var cluster = Akka.Cluster.Cluster.Get(system);
        string normalized;
        try
        {
            normalized = NodeAddress.Normalize(input.Text("address"), tls: cluster.SelfAddress.Protocol.Contains(".ssl.", StringComparison.Ordinal));
        }
        catch (FormatException e)
        {
            return CommandResult.Invalid(e.Message);
        }
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
                w.Problem is { } problem ? $"takes no trials: {problem}" : w.Running.IsEmpty ? "-" : string.Join("; ", w.Running),
            ]),
        ], new HashSet<int> { 3 });
        return CommandResult.Ok(new WorkerList([.. workers.Select(w => new WorkerDocument(w.Node, w.Gpus, w.CpuSlots, w.CpuBusy, w.Running, w.TrialsDone, w.Problem))]), text.ToString());
    }
}
