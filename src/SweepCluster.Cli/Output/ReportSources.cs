using System.Text.Json;
using SweepCluster.Core.Analysis;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;
using SweepCluster.Node.Endpoint;
using SweepCluster.Reports;

namespace SweepCluster.Cli.Output;

/// <summary>Sweeps as reports read them: from a run folder on this machine, or as a node sends them (<c>sweep report</c>).</summary>
internal static class ReportSources
{
    /// <summary>The ended sweep of a run folder: its sweep.json, the experiment in submission.json, the best trial's confusion.json.</summary>
    /// <exception cref="IOException">The folder holds no readable sweep.json; the message names it.</exception>
    public static ReportSweep FromRunFolder(string folder)
    {
        var header = RunFolders.ReadHeader(folder);
        var trials = RunFolders.ReadTrials(folder);
        ExperimentSpec? spec;
        try
        {
            var submitted = RunFolders.ReadSubmission(folder);
            spec = ExperimentSpecParser.Parse(submitted).Spec;
        }
        catch (IOException)
        {
            spec = null; // a run folder written before submission.json: the figures go without log axes
        }
        var sweep = new ReportSweep(header, trials, spec, null);
        return sweep with { BestConfusion = sweep.Best?.Artifacts is { } artifacts ? ReadConfusion(Path.Combine(artifacts, "confusion.json")) : null };
    }

    /// <summary>A sweep as a node sent it, with the best trial's confusion matrices if the caller could fetch them.</summary>
    public static ReportSweep FromNode(SweepReportSource source, ConfusionFile? bestConfusion) => new(source.Header, source.Trials,
        source.Experiment is { } yaml
            ? ExperimentSpecParser.Parse(yaml, source.Source ?? "experiment.yml", CodeFolder.Submitted(source.CodeDirectory)).Spec
            : null, bestConfusion);

    public static ConfusionFile? ReadConfusion(string path) => File.Exists(path) ? ParseConfusion(File.ReadAllText(path)) : null;

    public static ConfusionFile? ParseConfusion(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<ConfusionFile>(json, SweepJson.Options);
        }
        catch (JsonException)
        {
            return null; // not the network's confusion.json: the report goes without it
        }
    }

    /// <summary>Writes the report and says what it wrote.</summary>
    public static int Write(IReadOnlyList<ReportSweep> sweeps, string folder, bool json, TextWriter output, TextWriter error)
    {
        ReportFiles files;
        try
        {
            files = ReportWriter.Write(sweeps, folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"cannot write the report into {folder}: {e.Message}");
            return ExitCodes.Failed;
        }
        if (json) JsonOutput.Write(output, files);
        else output.WriteLine($"report of {sweeps.Count} sweep{(sweeps.Count == 1 ? "" : "s")} in {folder}: report.md, report.html, trials.csv and "
            + $"{files.Files.Count(f => f.EndsWith(".png", StringComparison.Ordinal))} figures (PNG and SVG)");
        return ExitCodes.Ok;
    }
}
