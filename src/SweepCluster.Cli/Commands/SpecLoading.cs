using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

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

    /// <summary>What was submitted for the ended sweep of a run folder, and its experiment; null when either cannot be read (said on <paramref name="error"/>).</summary>
    public static (SweepSubmitted Submitted, ExperimentSpec Spec)? LoadSubmission(string runDirectory, TextWriter error)
    {
        SweepSubmitted submitted;
        try
        {
            submitted = RunFolders.ReadSubmission(runDirectory);
        }
        catch (IOException e)
        {
            error.WriteLine($"{runDirectory} is not the run folder of an ended sweep: {e.Message}");
            return null;
        }
        var result = ExperimentSpecParser.Parse(submitted.SpecYaml, submitted.Source);
        foreach (var specError in result.Errors) error.WriteLine(specError);
        return result.Spec is { } spec ? (submitted, spec) : null;
    }
}
