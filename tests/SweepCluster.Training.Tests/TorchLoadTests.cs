using static TorchSharp.torch;

namespace SweepCluster.Training.Tests;

public class TorchLoadTests
{
    [Test]
    public void Libtorch_loads_and_computes()
    {
        using var a = tensor(new float[] { 1, 2, 3 });
        using var b = a * 2;
        Assert.That(b.sum().item<float>(), Is.EqualTo(12f));
    }
}
