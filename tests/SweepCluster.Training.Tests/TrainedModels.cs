using SweepCluster.Training.Trainers;

namespace SweepCluster.Training.Tests;

/// <summary>Each of the study's networks trained one epoch on the small set, its artifacts (model.json, model.dat) in a folder of its own.</summary>
internal static class TrainedModels
{
    public static readonly Dictionary<string, string[]> Architectures = new()
    {
        ["convnet"] = ["out_channels=[4,6]"],
        ["cae"] = ["first_conv_out_channels=4", "depth=3", "latent_size=16", "reg=0.01"],
        ["resnet"] = ["number_of_blocks=[1,1,1,1]", "num_channels=[8,16,16,32,32]", "reg=0.0001"],
        ["vae"] = ["autoencoder_sizes=[200,100,50,10]", "reg=0.01"],
    };

    public static string Train(string network, string directory, string normalize = "yes")
    {
        ShowerTrainer.Train(new TrainingRequest(network,
            SmallData.Params(["epochs=1", "bs=32", "lr=0.001", "optimizer=adam", $"normalize={normalize}", .. Architectures[network]]),
            Seed: 3, SmallData.Showers, ArtifactDirectory: directory));
        return directory;
    }
}
