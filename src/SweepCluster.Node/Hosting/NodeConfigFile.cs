using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using SweepCluster.Core.Spec;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Node.Hosting;

/// <summary>
/// A node's settings, from three sources, each overriding the one before: a <c>cluster-config/*.yml</c> file
/// (<c>cpu_slots: 4</c>), the environment (<c>SWEEP_CPU_SLOTS=4</c>, read through Microsoft.Extensions.Configuration) and the
/// command line (<c>--cpu-slots 4</c>). Every value is checked here, once, and a bad one is named where it was written.
/// </summary>
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
    /// <summary>The settings' names as a config file writes them: each property's name in snake case (<c>CpuSlots</c> is <c>cpu_slots</c>).</summary>
    public static readonly ImmutableArray<string> Keys = [.. Properties.Select(p => p.Key)];

    private static IEnumerable<(string Key, PropertyInfo Property)> Properties =>
        typeof(NodeSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => (JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), p));

    /// <summary>The environment's settings: <c>SWEEP_</c> and a key in capitals (<c>SWEEP_SEED_NODES</c>); other <c>SWEEP_</c> variables are not settings.</summary>
    public static NodeSettings FromEnvironment()
    {
        var environment = new ConfigurationBuilder().AddEnvironmentVariables(EnvironmentPrefix).Build();
        return Parse(Keys.Where(key => environment[key] is not null).Select(key => (key, environment[key]!, $"{EnvironmentPrefix}{key.ToUpperInvariant()}")));
    }

    public const string EnvironmentPrefix = "SWEEP_";

    /// <summary>Settings given as <c>--key-name VALUE</c> switches, each value as it was written.</summary>
    public static NodeSettings FromSwitches(IEnumerable<(string Switch, string Value)> given) =>
        Parse(given.Select(g => (g.Switch.TrimStart('-').Replace('-', '_'), g.Value, g.Switch)));

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
        var entries = new List<(string Key, string Text, string Where)>();
        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (!Keys.Contains(key)) throw new FormatException($"{key} at {path}:{keyNode.Start.Line}:{keyNode.Start.Column}: unknown key{KeyHints.DidYouMean(key, Keys)}");
            var where = $"{key} at {path}:{value.Start.Line}:{value.Start.Column}";
            entries.Add((key, value switch
            {
                YamlScalarNode { Value: { } v } => v,
                YamlSequenceNode seq => string.Join(",", seq.Children.Select(c => ((YamlScalarNode)c).Value)),
                _ => throw new FormatException($"{where}: needs a value or a list"),
            }, where));
        }
        return Parse(entries);
    }

    /// <summary>Each setting's text checked and read as its kind; <c>Where</c> names it in the message when it is wrong.</summary>
    private static NodeSettings Parse(IEnumerable<(string Key, string Text, string Where)> entries)
    {
        var settings = new NodeSettings();
        foreach (var (key, text, where) in entries)
        {
            double Seconds() => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : throw new FormatException($"{where}: needs a number of seconds > 0 (got '{text}')");
            int Int() => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"{where}: needs a whole number (got '{text}')");
            settings = key switch
            {
                "roles" => settings with { Roles = text },
                "host" => settings with { Host = text },
                "port" => settings with { Port = Int() },
                "seed_nodes" => settings with { SeedNodes = text },
                "cmd_host" => settings with { CmdHost = text },
                "cmd_port" => settings with { CmdPort = Int() },
                "cmd_token" => settings with { CmdToken = text },
                "gpus" => settings with { Gpus = text },
                "cpu_slots" => settings with { CpuSlots = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && c > 0 ? c : throw new FormatException($"{where}: needs a number > 0 (got '{text}')") },
                "data" => settings with { Data = text },
                "store" => settings with { Store = text },
                "journal" => settings with { Journal = text },
                "checkpoints" => settings with { Checkpoints = text },
                "heartbeat_pause" => settings with { HeartbeatPause = Seconds() },
                "down_after" => settings with { DownAfter = Seconds() },
                "gpu_trials_on_cpu" => settings with { GpuTrialsOnCpu = text is "true" or "false" ? text == "true" : throw new FormatException($"{where}: needs true or false (got '{text}')") },
                "leave_at" => settings with { LeaveAt = ParseLeaveAt(text, where) },
                "discovery" => settings with { Discovery = text },
                "service_name" => settings with { ServiceName = text },
                "contact_points" => settings with { ContactPoints = text },
                "management_port" => settings with { ManagementPort = Int() },
                "required_contact_points" => settings with { RequiredContactPoints = Int() },
                "cluster_certificate" => settings with { ClusterCertificate = text },
                _ => throw new FormatException($"{where}: not a node setting{KeyHints.DidYouMean(key, Keys)}"),
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
    public NodeSettings OverriddenBy(NodeSettings over)
    {
        var merged = this with { };
        foreach (var (_, property) in Properties)
            if (property.GetValue(over) is { } value) property.SetValue(merged, value);
        return merged;
    }
}
