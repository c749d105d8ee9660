using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SweepCluster.Training.Models;

/// <summary>
/// The study's fully connected VAE: encoder [pixels, a1, a2, a3] with mean and log-variance heads of size a4,
/// a decoder back to the pixels, and the classifier [a4, 10, 5] on the latent code. As in the study there is no
/// KL term: the loss is cross-entropy + reg * reconstruction MSE. Evaluation reads the mean, without sampling.
/// </summary>
public sealed class VariationalAutoencoder : ShowerModel
{
    private readonly Sequential encoder;
    private readonly Linear mean;
    private readonly Linear logVariance;
    private readonly Sequential decoder;
    private readonly Classifier classifier;
    private readonly double reg;

    public VariationalAutoencoder(IReadOnlyList<long> sizes, double reg, int pixels) : base(nameof(VariationalAutoencoder))
    {
        this.reg = reg;
        long[] all = [pixels, .. sizes];
        encoder = Dense("enc", all[..4]);
        mean = Linear(all[3], all[4]);
        logVariance = Linear(all[3], all[4]);
        decoder = Dense("dec", [.. all.Reverse()]);
        classifier = new Classifier([all[4], 10, 5]);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = encoder.forward(input.flatten(1));
        var latent = training ? Sample(hidden) : mean.forward(hidden);
        return classifier.forward(latent).MoveToOuterDisposeScope();
    }

    public override Tensor TrainingLoss(Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var flat = images.flatten(1);
        var latent = Sample(encoder.forward(flat));
        var loss = functional.cross_entropy(classifier.forward(latent), labels) + reg * functional.mse_loss(decoder.forward(latent), flat);
        return loss.MoveToOuterDisposeScope();
    }

    private Tensor Sample(Tensor hidden)
    {
        var mu = mean.forward(hidden);
        var noise = randn_like(mu);
        return mu + noise * exp(0.5 * logVariance.forward(hidden));
    }

    private static Sequential Dense(string prefix, long[] sizes) =>
        Sequential(Enumerable.Range(0, sizes.Length - 1).SelectMany(i => new (string, Module<Tensor, Tensor>)[]
        {
            ($"{prefix}_linear{i}", Linear(sizes[i], sizes[i + 1])),
            ($"{prefix}_relu{i}", ReLU()),
        }));
}
