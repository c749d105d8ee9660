using SweepCluster.Cli.Output;
using SweepCluster.Core.Trials;
using SweepCluster.Training.Trials;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// <c>sweepctl train</c> of the user's program or .NET trainer: one attempt run here exactly as a worker runs it (the same
/// environment, reports and logs, in the output folder), its epochs shown as they are reported.
/// </summary>
internal static class ProgramRun
{
    public static int Run(TrialJob job, bool json, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        var progress = json ? error : output;
        var runner = new TrainerTrialRunner();
        var metric = job.Command!.Metric;
        progress.WriteLine($"running {string.Join(" && ", job.Command.Commands)} in {job.Command.CodeDirectory}; its logs go to {job.ArtifactDirectory}");
        try
        {
            var outcome = runner.Run(job, e => progress.WriteLine(
                $"epoch {e.Epoch}: {metric} {e.Value:G6}{(double.IsFinite(e.TrainLoss) ? $", loss {e.TrainLoss:G6}" : "")} ({e.Seconds:F1} s)"), _ => { }, cancellation);
            if (json) TrainingWriter.WriteJson(output, job, outcome);
            else TrainingWriter.WriteTable(output, outcome);
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            error.WriteLine("sweepctl train: interrupted; the program was stopped");
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            error.WriteLine($"sweepctl train: the trial failed: {runner.Explain(e, job.Device).Reason}");
            return ExitCodes.Failed;
        }
    }
}
