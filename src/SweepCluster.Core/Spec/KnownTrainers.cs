using System.Collections.Immutable;

namespace SweepCluster.Core.Spec;

/// <summary>The trainer names an experiment's <c>run</c> may name: the four networks of the original study.</summary>
public static class KnownTrainers
{
    public static readonly ImmutableArray<string> All = ["convnet", "cae", "resnet", "vae"];

    /// <summary><c>src/convnet.py</c> (a SnapperML script path) names the trainer by its file stem; other names stand as written.</summary>
    public static string FromRunEntry(string entry) =>
        entry.EndsWith(".py", StringComparison.Ordinal) ? Path.GetFileNameWithoutExtension(entry) : entry;
}
