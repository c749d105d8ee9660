using System.CommandLine;
using SweepCluster.Cli.Commands;
using SweepCluster.Cli.Remote;
using SweepCluster.Training.Data;
using SweepCluster.Training.Models;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Cli;

/// <summary>The <c>sweepctl</c> command line: builds the command tree and runs one invocation.</summary>
public static class SweepCtl
{
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, Console.In);

    public static int Run(string[] args, TextWriter output, TextWriter error, TextReader input)
    {
        RemoteInvocation? remote;
        try
        {
            remote = RemoteInvocation.TryParse(args);
        }
        catch (FormatException e)
        {
            error.WriteLine($"sweepctl: {e.Message}");
            return ExitCodes.Unreachable;
        }
        if (remote is not null)
        {
            using var interrupt = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                interrupt.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                return RemoteClient.RunAsync(remote, output, error, input, interrupt.Token).GetAwaiter().GetResult();
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }
        var root = LocalCommands(output, error);
        try
        {
            var exitCode = CommandLineRunner.InvokeAsync(root, args, output, error, CancellationToken.None).GetAwaiter().GetResult();
            if (args is [var word] && NodeCommandsHelp.AsksForHelp([word])) NodeCommandsHelp.Write(output);
            return exitCode;
        }
        catch (Exception e) when (Failure(e) is { } failure)
        {
            error.WriteLine($"sweepctl: {failure.Message}");
            return failure.ExitCode;
        }
    }

    /// <summary>The commands that run here (every one but a node's palettes, which the client builds from the node).</summary>
    internal static RootCommand LocalCommands(TextWriter output, TextWriter error) => new("sweepctl: plan, run and operate hyperparameter sweeps on a SweepCluster cluster")
    {
        ValidateCommand.Create(output, error),
        PlanCommand.Create(output, error),
        DataCommand.Create(output, error),
        TrainCommand.Create(output, error),
        RunCommand.Create(output, error),
        StudyCommand.Create(output, error),
        ReportCommand.Create(output, error),
        ExportCommand.Create(output, error),
        PredictCommand.Create(output),
        NodeCommand.Create(output, error),
        CertificatesCommand.Create(output, error),
        SlurmCommand.Create(output, error),
        OneDnnCommand.Create(output),
    };

    /// <summary>The failures a user can cause or meet, as a message and exit code; anything else is a bug and keeps its trace.</summary>
    private static (string Message, int ExitCode)? Failure(Exception e) => e switch
    {
        DataFileException or InvalidTrialException or ModelFileException => (e.Message, ExitCodes.InvalidInput),
        TrainingDivergedException => (e.Message, ExitCodes.Failed),
        _ when TrainingErrors.IsOutOfMemory(e) => ($"out of memory: {TrainingErrors.FirstLine(e)}; try a smaller batch size or network", ExitCodes.Failed),
        OperationCanceledException => ("cancelled", ExitCodes.Interrupted),
        IOException or UnauthorizedAccessException => (e.Message, ExitCodes.Failed),
        HttpRequestException => ($"cannot reach the node: {e.Message}", ExitCodes.Unreachable),
        _ => null,
    };
}
