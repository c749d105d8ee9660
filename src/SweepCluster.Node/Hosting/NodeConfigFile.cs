using System.Globalization;
using SweepCluster.Core.Spec;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Node.Hosting;

/// <summary>A node's settings as written in a <c>cluster-config/*.yml</c> file; command-line switches override them.</summary>
public sealed record NodeSettings(
    string? Roles = null,
    string? Host = null,
    int? Port = null,
    string? SeedNodes = null,
    string? CmdHost = null,
    int? CmdPort = null,
    string? CmdToken = null,
    string? Gpus = null,
    double? CpuSlots = null,
    string? Data = null,
    string? Store = null,
    string? Journal = null,
    string? Checkpoints = null,
    double? HeartbeatPause = null,
    double? DownAfter = null,
    bool? GpuTrialsOnCpu = null,
    DateTimeOffset? LeaveAt = null,
    string? Discovery = null,
    string? ServiceName = null,
    string? ContactPoints = null,
    int? ManagementPort = null,
    int? RequiredContactPoints = null,
    string? ClusterCertificate = null)
{
    private static readonly string[] Keys =
        ["roles", "host", "port", "seed_nodes", "cmd_host", "cmd_port", "cmd_token", "gpus", "cpu_slots", "data", "store", "journal", "checkpoints", "heartbeat_pause", "down_after", "gpu_trials_on_cpu", "leave_at",
            "discovery", "service_name", "contact_points", "management_port", "required_contact_points", "cluster_certificate"];

    /// <summary>Reads the file, or throws a <see cref="FormatException"/> naming the file, line and key.</summary>
    public static NodeSettings Read(string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(path)));
        }
        catch (Exception e) when (e is YamlException or IOException)
        {
            throw new FormatException($"{path}: not a readable YAML file ({e.Message})");
        }
        if (stream.Documents.Count == 0) return new NodeSettings();
        if (stream.Documents[0].RootNode is not YamlMappingNode root) throw new FormatException($"{path}: a node config file is a mapping of keys ({string.Join(", ", Keys)})");
        var settings = new NodeSettings();
        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            string Where() => $"{key} at {path}:{value.Start.Line}:{value.Start.Column}";
            string Text() => value switch
            {
                YamlScalarNode { Value: { } v } => v,
                YamlSequenceNode seq => string.Join(",", seq.Children.Select(c => ((YamlScalarNode)c).Value)),
                _ => throw new FormatException($"{Where()}: needs a value or a list"),
            };
            double Seconds() => double.TryParse(Text(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : throw new FormatException($"{Where()}: needs a number of seconds > 0 (got '{Text()}')");
            int Int() => int.TryParse(Text(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"{Where()}: needs a whole number (got '{Text()}')");
            settings = key switch
            {
                "roles" => settings with { Roles = Text() },
                "host" => settings with { Host = Text() },
                "port" => settings with { Port = Int() },
                "seed_nodes" => settings with { SeedNodes = Text() },
                "cmd_host" => settings with { CmdHost = Text() },
                "cmd_port" => settings with { CmdPort = Int() },
                "cmd_token" => settings with { CmdToken = Text() },
                "gpus" => settings with { Gpus = Text() },
                "cpu_slots" => settings with { CpuSlots = double.TryParse(Text(), NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && c > 0 ? c : throw new FormatException($"{Where()}: needs a number > 0 (got '{Text()}')") },
                "data" => settings with { Data = Text() },
                "store" => settings with { Store = Text() },
                "journal" => settings with { Journal = Text() },
                "checkpoints" => settings with { Checkpoints = Text() },
                "heartbeat_pause" => settings with { HeartbeatPause = Seconds() },
                "down_after" => settings with { DownAfter = Seconds() },
                "gpu_trials_on_cpu" => settings with { GpuTrialsOnCpu = Text() is "true" or "false" ? Text() == "true" : throw new FormatException($"{Where()}: needs true or false (got '{Text()}')") },
                "leave_at" => settings with { LeaveAt = ParseLeaveAt(Text(), Where()) },
                "discovery" => settings with { Discovery = Text() },
                "service_name" => settings with { ServiceName = Text() },
                "contact_points" => settings with { ContactPoints = Text() },
                "management_port" => settings with { ManagementPort = Int() },
                "required_contact_points" => settings with { RequiredContactPoints = Int() },
                "cluster_certificate" => settings with { ClusterCertificate = Text() },
                _ => throw new FormatException($"{key} at {path}:{keyNode.Start.Line}:{keyNode.Start.Column}: unknown key{KeyHints.DidYouMean(key, Keys)}"),
            };
        }
        return settings;
    }

    /// <summary>An ISO 8601 time (<c>2026-11-28T18:00:00+01:00</c>; without an offset, this machine's local time).</summary>
    public static DateTimeOffset ParseLeaveAt(string text, string where) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var at)
            ? at
            : throw new FormatException($"{where}: needs a time like 2026-11-28T18:00:00+01:00 (got '{text}')");

    /// <summary>These settings, with every value <paramref name="over"/> has taking its place.</summary>
    public NodeSettings OverriddenBy(NodeSettings over) => new(
        over.Roles ?? Roles, over.Host ?? Host, over.Port ?? Port, over.SeedNodes ?? SeedNodes, over.CmdHost ?? CmdHost, over.CmdPort ?? CmdPort,
        over.CmdToken ?? CmdToken, over.Gpus ?? Gpus, over.CpuSlots ?? CpuSlots, over.Data ?? Data, over.Store ?? Store, over.Journal ?? Journal,
        over.Checkpoints ?? Checkpoints, over.HeartbeatPause ?? HeartbeatPause, over.DownAfter ?? DownAfter, over.GpuTrialsOnCpu ?? GpuTrialsOnCpu,
        over.LeaveAt ?? LeaveAt, over.Discovery ?? Discovery, over.ServiceName ?? ServiceName, over.ContactPoints ?? ContactPoints,
        over.ManagementPort ?? ManagementPort, over.RequiredContactPoints ?? RequiredContactPoints, over.ClusterCertificate ?? ClusterCertificate);
}
