using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SweepCluster.Training.Models;

/// <summary>
/// The study's convolutional autoencoder: stride-2 convolutions down to a latent code that a classifier reads,
/// transposed convolutions back up; trained on cross-entropy + reg * reconstruction MSE.
/// </summary>
public sealed class ConvAutoencoder : ShowerModel
{
    private readonly Sequential encoder;
    private readonly Linear toLatent;
    private readonly Linear fromLatent;
    private readonly Sequential decoder;
    private readonly Classifier classifier;
    private readonly long[] encodedShape;
    private readonly int imageSize;
    private readonly double reg;

    /// <summary>The smallest encoder output side that still leaves something to decode.</summary>
    public const int MinEncodedSide = 2;

    public ConvAutoencoder(long firstChannels, int depth, long latentSize, double reg, int imageSize) : base(nameof(ConvAutoencoder))
    {
        this.imageSize = imageSize;
        this.reg = reg;
        var down = new List<(string, Module<Tensor, Tensor>)>();
        var channels = firstChannels;
        long inputs = 1;
        for (var i = 0; i < depth; i++)
        {
            down.Add(($"conv{i}", Conv2d(inputs, channels, 3, stride: 2, padding: 1)));
            down.Add(($"relu{i}", ReLU()));
            (inputs, channels) = (channels, channels * 2);
        }
        encoder = Sequential(down);
        var side = EncodedSide(imageSize, depth);
        encodedShape = [inputs, side, side];
        toLatent = Linear(inputs * side * side, latentSize);
        fromLatent = Linear(latentSize, inputs * side * side);
        var up = new List<(string, Module<Tensor, Tensor>)>();
        for (var i = 0; i < depth; i++)
        {
            var outputs = i == depth - 1 ? 1 : inputs / 2;
            up.Add(($"deconv{i}", ConvTranspose2d(inputs, outputs, 2, stride: 2)));
            up.Add(($"relu{i}", ReLU()));
            inputs = outputs;
        }
        decoder = Sequential(up);
        classifier = new Classifier([latentSize, 10, 5]);
        RegisterComponents();
    }

    /// <summary>The side of the encoder's output: each stride-2, padding-1, 3x3 convolution takes ceil(side / 2).</summary>
    public static int EncodedSide(int imageSize, int depth)
    {
        var side = imageSize;
        for (var i = 0; i < depth; i++) side = (side + 1) / 2;
        return side;
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return classifier.forward(Encode(input)).MoveToOuterDisposeScope();
    }

    public override Tensor TrainingLoss(Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var latent = Encode(images);
        var decoded = decoder.forward(fromLatent.forward(latent).view([-1, .. encodedShape]));
        var reconstruction = FitToImage(decoded);
        var loss = functional.cross_entropy(classifier.forward(latent), labels) + reg * functional.mse_loss(reconstruction, images);
        return loss.MoveToOuterDisposeScope();
    }

    private Tensor Encode(Tensor input) => toLatent.forward(encoder.forward(input).flatten(1));

    /// <summary>Crops (or zero-pads) the decoder's output to the input size when 2^depth does not divide it.</summary>
    private Tensor FitToImage(Tensor decoded)
    {
        var side = decoded.shape[^1];
        if (side == imageSize) return decoded;
        if (side > imageSize) return decoded[.., .., ..imageSize, ..imageSize];
        var pad = imageSize - side;
        return functional.pad(decoded, [0, pad, 0, pad]);
    }
}
