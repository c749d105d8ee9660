using System.CommandLine;
using System.Globalization;
using System.Text;
using SweepCluster.Cli.Remote;
using SweepCluster.Core.Files;
using SweepCluster.Core.Models;
using SweepCluster.Training.Data;
using SweepCluster.Training.Inference;
using SweepCluster.Training.Models;

namespace SweepCluster.Cli.Commands;

/// <summary><c>sweepctl predict MODEL_DIR --data FILE --out FILE.csv</c>: a trained network's class probabilities for every shower of a file.</summary>
internal static class PredictCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Argument<string>("MODEL")
        {
            Description = "A network trial's folder, or one `export pytorch` wrote (model.json with model.dat or model.pt); or a registered model, NAME, NAME:VERSION or NAME@STAGE, fetched through --node",
        };
        var node = new Option<string>("--node") { Description = "The node to fetch a registered model through, host:port", DefaultValueFactory = _ => RemoteInvocation.DefaultAddress };
        var data = new Option<string>("--data") { Description = "An HDF5 shower file in the SWGO layout", Required = true };
        var outFile = new Option<string>("--out") { Description = "The CSV to write: shower, one probability per class, the predicted class and the file's label", Required = true };
        var command = new Command("predict", "Predict the class of every shower in a file with a trained network") { model, data, outFile, node };
        command.SetAction(async (parsed, cancellation) =>
        {
            var name = parsed.GetValue(model)!;
            var fetched = !Directory.Exists(name) && ModelReference.Parse(name).Problem is null ? Directory.CreateTempSubdirectory("sweepctl-model-").FullName : null;
            try
            {
                if (fetched is not null)
                {
                    var version = await ModelDownload.FetchAsync(parsed.GetValue(node)!, name, fetched, cancellation);
                    output.WriteLine($"{version.Name}:{version.Version} ({version.Stage}): trial {version.Trial} of sweep {version.Sweep}");
                }
                return Predict(fetched ?? name, parsed.GetValue(data)!, parsed.GetValue(outFile)!, output);
            }
            finally
            {
                if (fetched is not null) Directory.Delete(fetched, recursive: true);
            }
        });
        return command;
    }

    private static int Predict(string modelFolder, string dataFile, string outFile, TextWriter output)
    {
        using var trained = TrainedModel.Load(modelFolder);
        var showers = ShowerSet.Load(dataFile);
        var probabilities = trained.Probabilities(showers);
        var classes = trained.Description.Classes;
        var csv = new StringBuilder($"shower,{string.Join(',', classes.Select(c => $"p_{c}"))},predicted,label\n");
        var correct = 0;
        for (var i = 0; i < showers.Count; i++)
        {
            var row = probabilities.AsSpan(i * classes.Count, classes.Count);
            var predicted = Likeliest(row) ?? throw new ModelFileException(trained.Weights, $"gives probabilities that are not numbers for shower {i}: its weights hold NaN or infinity");
            if (predicted == showers.Labels[i]) correct++;
            csv.Append(CultureInfo.InvariantCulture, $"{i},{string.Join(',', row.ToArray().Select(p => p.ToString("R", CultureInfo.InvariantCulture)))},{classes[predicted]},{classes[showers.Labels[i]]}\n");
        }
        var target = Path.GetFullPath(outFile);
        AtomicFile.WriteAllText(target, csv.ToString());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{target}: {showers.Count} showers; {correct} predicted as labelled ({(showers.Count == 0 ? 0 : (double)correct / showers.Count):P1})"));
        return ExitCodes.Ok;
    }

    private static int? Likeliest(ReadOnlySpan<float> probabilities)
    {
        var best = 0;
        for (var c = 0; c < probabilities.Length; c++)
        {
            if (!float.IsFinite(probabilities[c])) return null;
            if (probabilities[c] > probabilities[best]) best = c;
        }
        return best;
    }
}
