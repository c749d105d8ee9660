using SweepCluster.Core.Spec;

namespace SweepCluster.Cli.Commands;

/// <summary>Loading experiment files the same way for every command: errors go to stderr, one per line.</summary>
internal static class SpecLoading
{
    public static ExperimentSpec? Load(string path, TextWriter error)
    {
        var result = ExperimentSpecParser.ParseFile(path);
        foreach (var specError in result.Errors) error.WriteLine(specError);
        return result.Spec;
    }
}
