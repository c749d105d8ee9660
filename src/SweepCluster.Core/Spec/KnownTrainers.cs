using System.Collections.Immutable;

namespace SweepCluster.Core.Spec;

/// <summary>
/// The trainer names an experiment's <c>run</c> may name, with the metrics each reports: the four networks
/// of the original study, and analytic built-ins for testing and benchmarking the cluster without training.
/// </summary>
public static class KnownTrainers
{
    private static readonly ImmutableArray<string> NetworkMetrics = ["train_acc", "test_acc", "train_f1", "test_f1"];
    private static readonly ImmutableArray<string> BuiltinMetrics = ["value"];

    public static readonly ImmutableDictionary<string, ImmutableArray<string>> Metrics = new Dictionary<string, ImmutableArray<string>>
    {
        ["convnet"] = NetworkMetrics,
        ["cae"] = NetworkMetrics,
        ["resnet"] = NetworkMetrics,
        ["vae"] = NetworkMetrics,
        ["builtin/sleep"] = BuiltinMetrics,
        ["builtin/branin"] = BuiltinMetrics,
        ["builtin/hartmann6"] = BuiltinMetrics,
        ["builtin/noisy"] = BuiltinMetrics,
    }.ToImmutableDictionary();

    public static readonly ImmutableArray<string> All = [.. Metrics.Keys.Order(StringComparer.Ordinal)];

    /// <summary>True for the networks, which need shower data; false for the built-in objectives.</summary>
    public static bool NeedsData(string trainer) => !trainer.StartsWith("builtin/", StringComparison.Ordinal);

    /// <summary>
    /// A .NET trainer of the user's: <c>bin/MyTrainer.dll</c>, or <c>bin/MyTrainer.dll:My.Namespace.MyTrainer</c> when the assembly
    /// holds several. Null for any other entry.
    /// </summary>
    public static (string File, string? Type)? AssemblyEntry(string entry)
    {
        if (entry.Any(char.IsWhiteSpace)) return null;
        var split = entry.LastIndexOf(".dll:", StringComparison.Ordinal);
        if (split > 0) return (entry[..(split + 4)], entry[(split + 5)..]);
        return entry.EndsWith(".dll", StringComparison.Ordinal) ? (entry, null) : null;
    }

    /// <summary><c>src/convnet.py</c> (a SnapperML script path) names the trainer by its file stem; other names stand as written.</summary>
    public static string FromRunEntry(string entry) =>
        entry.EndsWith(".py", StringComparison.Ordinal) ? Path.GetFileNameWithoutExtension(entry) : entry;
}
