using System.CommandLine;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Cli.Commands;

/// <summary>Loading experiment files the same way for every command: errors go to stderr, one per line.</summary>
internal static class SpecLoading
{
    /// <param name="code">The folder <c>--code</c> names; the experiment's own folder when null.</param>
    public static ExperimentSpec? Load(string path, TextWriter error, string? code = null)
    {
        var result = ExperimentSpecParser.ParseFile(path, CodeFolder.Of(path, code));
        foreach (var notice in result.Notices ?? []) error.WriteLine($"note: {notice}");
        foreach (var specError in result.Errors) error.WriteLine(specError);
        if (result.Spec is { } spec && Training.Trainers.NetworkSettings.ProblemIn(spec) is { } problem)
        {
            error.WriteLine($"run: {problem} at {path}");
            return null;
        }
        return result.Spec;
    }

    /// <summary><c>--code DIR</c>: where the experiment's own program is, when not in the experiment's folder.</summary>
    public static Option<string?> CodeOption() => new("--code")
    {
        Description = "The folder your program runs in and run: paths are relative to (default: the experiment file's folder)",
    };

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
        var result = ExperimentSpecParser.Parse(submitted);
        foreach (var specError in result.Errors) error.WriteLine(specError);
        return result.Spec is { } spec ? (submitted, spec) : null;
    }
}
