using System.CommandLine;
using SweepCluster.Cli.Output;
using SweepCluster.Reports;
using SweepCluster.Training.Inference;

namespace SweepCluster.Cli.Commands;

/// <summary><c>sweepctl export pytorch|mlflow</c>: a trained network, or a sweep, in formats other tools read.</summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output, TextWriter error) => new("export", "Write a trained model or a sweep in another tool's format")
    {
        PyTorch(output),
        Mlflow(output, error),
    };

    private static Command PyTorch(TextWriter output)
    {
        var model = new Argument<string>("MODEL_DIR") { Description = "A network trial's folder (RUN_DIR/trial-0003: model.json and model.dat)" };
        var outDir = new Option<string>("--out") { Description = "Folder for model.pt (a PyTorch state_dict) and model.json", Required = true };
        var command = new Command("pytorch", "Write a network's weights as a PyTorch state_dict that examples/pytorch/shower_networks.py loads") { model, outDir };
        command.SetAction(parsed =>
        {
            var target = Path.GetFullPath(parsed.GetValue(outDir)!);
            using var trained = TrainedModel.Load(parsed.GetValue(model)!);
            trained.ExportPyTorch(target);
            output.WriteLine($"{Path.Combine(target, TrainedModel.PyTorchWeights)}: the {trained.Description.Network}'s state_dict");
            output.WriteLine($"load it in Python: shower_networks.load(\"{target}\") (examples/pytorch/shower_networks.py)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Mlflow(TextWriter output, TextWriter error)
    {
        var run = new Argument<string>("RUN_DIR") { Description = "A sweep's run folder (runs/<name>-<id>: sweep.json)" };
        var outDir = new Option<string>("--out") { Description = "The MLflow store's folder (mlruns): the sweep's experiment is written or replaced, others kept", Required = true };
        var command = new Command("mlflow", "Write a sweep in MLflow's file-store layout: an experiment, a run per trial with parameters, metrics per epoch, tags, artifacts") { run, outDir };
        command.SetAction(parsed =>
        {
            var written = MlflowStore.Write(ReportSources.FromRunFolder(parsed.GetValue(run)!), parsed.GetValue(outDir)!);
            output.WriteLine($"{written.Root}: experiment {written.ExperimentId}, {written.Runs} runs (mlflow ui --backend-store-uri {written.Root})");
            if (written.ArtifactsElsewhere.Count > 0)
                error.WriteLine($"trials {string.Join(", ", written.ArtifactsElsewhere)}: their folders are not on this machine (a worker's disk), so their runs have no artifacts");
            return ExitCodes.Ok;
        });
        return command;
    }
}
