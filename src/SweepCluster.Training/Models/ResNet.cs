using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SweepCluster.Training.Models;

/// <summary>
/// The study's ResNet: a 7x7 stride-2 stem with max-pooling, four groups of residual blocks (groups 2-4 start
/// with stride 2), global average pooling and the classifier [channels, 200, 100, 10].
/// </summary>
public sealed class ResNet : ShowerModel
{
    private readonly Sequential stem;
    private readonly Sequential groups;
    private readonly AdaptiveAvgPool2d pool;
    private readonly Classifier classifier;

    public ResNet(IReadOnlyList<long> blocksPerGroup, IReadOnlyList<long> channels) : base(nameof(ResNet))
    {
        stem = Sequential(
            ("conv", Conv2d(1, channels[0], 7, stride: 2, padding: 3, bias: false)),
            ("norm", BatchNorm2d(channels[0])),
            ("relu", ReLU()),
            ("pool", MaxPool2d(2)));
        var blocks = new List<(string, Module<Tensor, Tensor>)>();
        for (var g = 0; g < 4; g++)
        {
            for (var b = 0; b < blocksPerGroup[g]; b++)
            {
                var first = b == 0;
                blocks.Add(($"group{g}_block{b}", new ResidualBlock(
                    first ? channels[g] : channels[g + 1], channels[g + 1], stride: first && g > 0 ? 2 : 1, projectShortcut: first)));
            }
        }
        groups = Sequential(blocks);
        pool = AdaptiveAvgPool2d(1);
        classifier = new Classifier([channels[4], 200, 100, 10]);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = pool.forward(groups.forward(stem.forward(input)));
        return classifier.forward(x.flatten(1)).MoveToOuterDisposeScope();
    }
}

/// <summary>Conv3x3 -> BN -> ReLU -> Conv3x3 -> BN, plus the shortcut (1x1 conv + BN where it changes shape), then ReLU.</summary>
public sealed class ResidualBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d norm1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d norm2;
    private readonly Sequential? shortcut;

    public ResidualBlock(long inputs, long outputs, long stride, bool projectShortcut) : base(nameof(ResidualBlock))
    {
        conv1 = Conv2d(inputs, outputs, 3, stride: stride, padding: 1, bias: false);
        norm1 = BatchNorm2d(outputs);
        conv2 = Conv2d(outputs, outputs, 3, padding: 1, bias: false);
        norm2 = BatchNorm2d(outputs);
        if (projectShortcut)
            shortcut = Sequential(("conv", Conv2d(inputs, outputs, 1, stride: stride, bias: false)), ("norm", BatchNorm2d(outputs)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(norm1.forward(conv1.forward(input)));
        x = norm2.forward(conv2.forward(x));
        var identity = shortcut?.forward(input) ?? input;
        return functional.relu(x + identity).MoveToOuterDisposeScope();
    }
}
