using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SweepCluster.Training.Models;

/// <summary>
/// The study's fully connected classifier: for sizes [s0, ..., sk], Linear -> BatchNorm1d -> ReLU per pair,
/// then Linear(sk -> 2). It returns logits; the study's final softmax is folded into the cross-entropy.
/// </summary>
public sealed class Classifier : Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public Classifier(IReadOnlyList<long> sizes, long outputs = 2) : base(nameof(Classifier))
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>();
        for (var i = 0; i + 1 < sizes.Count; i++)
        {
            modules.Add(($"linear{i}", Linear(sizes[i], sizes[i + 1])));
            modules.Add(($"norm{i}", BatchNorm1d(sizes[i + 1])));
            modules.Add(($"relu{i}", ReLU()));
        }
        modules.Add(("out", Linear(sizes[^1], outputs)));
        layers = Sequential(modules);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.forward(input);
}
