using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SweepCluster.Training.Models;

/// <summary>The study's simple CNN (LeNet-5 style): two 5x5 convolutions with max-pooling, then the classifier.</summary>
public sealed class ConvNet : ShowerModel
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly MaxPool2d pool;
    private readonly Classifier classifier;

    public ConvNet(long channels1, long channels2, int imageSize) : base(nameof(ConvNet))
    {
        conv1 = Conv2d(1, channels1, 5);
        conv2 = Conv2d(channels1, channels2, 5);
        pool = MaxPool2d(2);
        var side = ((imageSize - 4) / 2 - 4) / 2; // 17 for 80x80
        classifier = new Classifier([side * side * channels2, 100, 50, 10]);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = pool.forward(functional.relu(conv1.forward(input)));
        x = pool.forward(functional.relu(conv2.forward(x)));
        return classifier.forward(x.flatten(1)).MoveToOuterDisposeScope();
    }
}
