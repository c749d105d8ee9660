using System.Text.Json;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Sdk;
using SweepCluster.Training.Data;

namespace SweepCluster.Training.Trainers;

/// <summary>One of the study's four networks as a trainer: the same seam a .NET trainer of the user's plugs into.</summary>
public sealed class NetworkTrainer(string network) : ITrainer
{
    /// <summary>A network that predicted one class for every test shower: its F1 or accuracy may look fair, and it has learnt nothing.</summary>
    public static string? ConstantClassifier(BinaryConfusion test)
    {
        var predictedProton = test.TruePositives + test.FalsePositives;
        if (test.Total == 0 || predictedProton != 0 && predictedProton != test.Total) return null;
        return $"it predicted {(predictedProton == 0 ? "iron" : "proton")} for every one of the {test.Total} test showers: a constant classifier, whatever its scores say";
    }

    public void Train(TrainerContext context)
    {
        TorchSharp.torch.set_num_threads(context.Threads);
        var parameters = JsonSerializer.Deserialize<ParamValue.Map>(context.ParamsJson, SweepJson.Stored)!;
        var data = ShowerData.Shared(context.DataDirectory ?? SyntheticShowers.EnsureCached());
        var result = ShowerTrainer.Train(
            new TrainingRequest(network, parameters, context.Seed, data, context.Device, context.Epochs, context.CheckpointDirectory, context.TrialDirectory),
            e => context.Report(e.Epoch, new Dictionary<string, double> { ["loss"] = e.TrainLoss, ["test_f1"] = e.Value, ["seconds"] = e.Seconds, ["samples"] = e.Samples }),
            context.Cancellation, p => context.Progress(p.Epoch, p.Samples, p.EpochSamples));
        context.Result(result.Metrics);
        if (ConstantClassifier(result.TestConfusion) is { } warning) context.Warn(warning);
    }
}
