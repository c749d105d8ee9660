using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Training.Data;

namespace SweepCluster.Training.Trainers;

/// <summary>One trial's training job.</summary>
/// <param name="Trainer">convnet, cae, resnet or vae.</param>
/// <param name="Params">The trial's full parameters (fixed and sampled).</param>
/// <param name="Seed">Seeds torch before the model is built, and the shuffling of every epoch.</param>
/// <param name="Device"><c>cpu</c> or <c>cuda:N</c>, from the trial's placement.</param>
/// <param name="Epochs">Overrides the <c>epochs</c> parameter when set.</param>
/// <param name="CheckpointDirectory">Where to checkpoint after every epoch and resume from; none when null.</param>
/// <param name="ArtifactDirectory">Where the weights and confusion matrices go; none when null.</param>
public sealed record TrainingRequest(
    string Trainer,
    ParamValue.Map Params,
    long Seed,
    ShowerData Data,
    string Device = "cpu",
    int? Epochs = null,
    string? CheckpointDirectory = null,
    string? ArtifactDirectory = null);

public sealed record TrainingResult(
    IReadOnlyDictionary<string, double> Metrics,
    BinaryConfusion TrainConfusion,
    BinaryConfusion TestConfusion,
    IReadOnlyList<EpochReport> Epochs,
    double TrainSamplesPerSecond,
    IReadOnlyDictionary<string, string> Artifacts);
