using System.CommandLine;
using SweepCluster.Cli.Output;
using SweepCluster.Core.Analysis;

namespace SweepCluster.Cli.Commands;

/// <summary><c>sweepctl report RUN_DIR... --out DIR</c>: the study's report from run folders on this machine, no cluster needed.</summary>
internal static class ReportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var folders = new Argument<string[]>("RUN_DIR") { Arity = ArgumentArity.OneOrMore, Description = "Run folders of ended sweeps (run writes them); several are compared side by side" };
        var outFolder = new Option<string>("--out", "-o") { Description = "The folder to write the report into", Required = true };
        var format = OutputFormat.CreateOption();
        var command = new Command("report", "Write the study's report of sweeps: trials.csv, report.md, report.html and figures (PNG, SVG)") { folders, outFolder, format };
        command.SetAction(parsed =>
        {
            var sweeps = new List<ReportSweep>();
            foreach (var folder in parsed.GetValue(folders)!)
            {
                try
                {
                    sweeps.Add(ReportSources.FromRunFolder(folder));
                }
                catch (IOException e)
                {
                    error.WriteLine($"{folder} is not the run folder of an ended sweep: {e.Message}");
                    return ExitCodes.InvalidInput;
                }
            }
            return ReportSources.Write(sweeps, parsed.GetValue(outFolder)!, parsed.GetValue(format) == OutputFormat.Json, output, error);
        });
        return command;
    }
}
