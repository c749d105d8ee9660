using System.CommandLine;
using SweepCluster.Training.Inference;

namespace SweepCluster.Cli.Commands;

/// <summary><c>sweepctl export pytorch</c>: a trained network in formats other tools read.</summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output) => new("export", "Write a trained model or a sweep in another tool's format")
    {
        PyTorch(output),
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
}
