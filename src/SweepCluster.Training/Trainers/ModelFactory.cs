using SweepCluster.Training.Models;

namespace SweepCluster.Training.Trainers;

/// <summary>Builds a network of the shape a trial's hyperparameters give, for images of <c>imageSize</c> pixels a side.</summary>
public static class ModelFactory
{
    public static ShowerModel Create(NetworkShape shape, int imageSize) => shape switch
    {
        NetworkShape.ConvNet c => CreateConvNet(c, imageSize),
        NetworkShape.Cae c => CreateAutoencoder(c, imageSize),
        NetworkShape.ResNet r => new ResNet(r.Blocks, r.Channels),
        NetworkShape.Vae v => new VariationalAutoencoder(v.Sizes, v.Reg, imageSize * imageSize),
        _ => throw new InvalidOperationException("unreachable: NetworkShape is closed"),
    };

    private static ConvNet CreateConvNet(NetworkShape.ConvNet shape, int imageSize)
    {
        if (((imageSize - 4) / 2 - 4) / 2 < 1)
            throw new InvalidTrialException($"convnet needs images of at least 16x16 (got {imageSize}x{imageSize})");
        return new ConvNet(shape.FirstChannels, shape.SecondChannels, imageSize);
    }

    private static ConvAutoencoder CreateAutoencoder(NetworkShape.Cae shape, int imageSize)
    {
        var side = ConvAutoencoder.EncodedSide(imageSize, shape.Depth);
        if (side < ConvAutoencoder.MinEncodedSide)
        {
            var maxDepth = Enumerable.Range(1, 32).Last(d => ConvAutoencoder.EncodedSide(imageSize, d) >= ConvAutoencoder.MinEncodedSide);
            throw new InvalidTrialException($"depth: {shape.Depth} halvings leave a {side}x{side} code of a {imageSize}x{imageSize} image; at most {maxDepth} fit");
        }
        if (shape.FirstChannels * Math.Pow(2, shape.Depth - 1) > 1 << 16)
            throw new InvalidTrialException($"first_conv_out_channels: {shape.FirstChannels} doubled {shape.Depth - 1} times is more channels than fit in memory");
        return new ConvAutoencoder(shape.FirstChannels, shape.Depth, shape.LatentSize, shape.Reg, imageSize);
    }
}
