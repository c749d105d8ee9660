using SweepCluster.Training.Models;

namespace SweepCluster.Training.Trainers;

/// <summary>Builds a trainer's network from a trial's hyperparameters (the names of the study's YAML files).</summary>
public static class ModelFactory
{
    public static ShowerModel Create(string trainer, TrialParams p, int imageSize) => trainer switch
    {
        "convnet" => CreateConvNet(p, imageSize),
        "cae" => CreateAutoencoder(p, imageSize),
        "resnet" => new ResNet(p.IntList("number_of_blocks", 4, min: 1), p.IntList("num_channels", 5, min: 1)),
        "vae" => new VariationalAutoencoder(p.IntList("autoencoder_sizes", 4, min: 1), p.NonNegativeReal("reg"), imageSize * imageSize),
        _ => throw new InvalidTrialException($"no network is called '{trainer}'; known: convnet, cae, resnet, vae"),
    };

    /// <summary>Weight decay of the optimizer: the study used <c>reg</c> as such for ResNet and the VAE.</summary>
    public static double WeightDecay(string trainer, TrialParams p) => trainer is "resnet" or "vae" ? p.NonNegativeReal("reg") : 0;

    private static ConvNet CreateConvNet(TrialParams p, int imageSize)
    {
        var channels = p.IntList("out_channels", 2, min: 1);
        if (((imageSize - 4) / 2 - 4) / 2 < 1)
            throw new InvalidTrialException($"convnet needs images of at least 16x16 (got {imageSize}x{imageSize})");
        return new ConvNet(channels[0], channels[1], imageSize);
    }

    private static ConvAutoencoder CreateAutoencoder(TrialParams p, int imageSize)
    {
        var depth = p.Int("depth", min: 1);
        var side = ConvAutoencoder.EncodedSide(imageSize, depth);
        if (side < ConvAutoencoder.MinEncodedSide)
        {
            var maxDepth = Enumerable.Range(1, 32).Last(d => ConvAutoencoder.EncodedSide(imageSize, d) >= ConvAutoencoder.MinEncodedSide);
            throw new InvalidTrialException($"depth: {depth} halvings leave a {side}x{side} code of a {imageSize}x{imageSize} image; at most {maxDepth} fit");
        }
        var first = p.Int("first_conv_out_channels", min: 1);
        if (first * Math.Pow(2, depth - 1) > 1 << 16)
            throw new InvalidTrialException($"first_conv_out_channels: {first} doubled {depth - 1} times is more channels than fit in memory");
        return new ConvAutoencoder(first, depth, p.Int("latent_size", min: 1), p.NonNegativeReal("reg"), imageSize);
    }
}
