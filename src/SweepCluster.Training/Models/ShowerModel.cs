using static TorchSharp.torch;

namespace SweepCluster.Training.Models;

/// <summary>
/// A network that classifies shower images (batch x 1 x H x W) as iron (0) or proton (1). <c>forward</c> gives
/// the two logits; models with an auxiliary objective add it to the training loss.
/// </summary>
public abstract class ShowerModel(string name) : nn.Module<Tensor, Tensor>(name)
{
    /// <summary>The loss minimised in training: cross-entropy on the logits, plus any auxiliary term.</summary>
    public virtual Tensor TrainingLoss(Tensor images, Tensor labels) => nn.functional.cross_entropy(forward(images), labels);
}
