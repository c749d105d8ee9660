using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Tests;

public sealed class MetricDirectionTests
{
    [TestCase(MetricDirection.Maximize, 0.9, 0.8, true)]
    [TestCase(MetricDirection.Maximize, 0.8, 0.9, false)]
    [TestCase(MetricDirection.Minimize, 0.8, 0.9, true)]
    [TestCase(MetricDirection.Minimize, 0.9, 0.8, false)]
    [TestCase(MetricDirection.Maximize, 0.5, 0.5, false)]
    public void A_value_is_better_only_in_the_metrics_direction(MetricDirection direction, double value, double than, bool better) =>
        Assert.That(direction.IsBetter(value, than), Is.EqualTo(better));

    [Test]
    public void The_best_of_several_values_follows_the_direction_and_passes_over_a_NaN()
    {
        double[] values = [0.3, double.NaN, -2, 7];
        Assert.Multiple(() =>
        {
            Assert.That(MetricDirection.Maximize.Best(values), Is.EqualTo(7));
            Assert.That(MetricDirection.Minimize.Best(values), Is.EqualTo(-2));
            Assert.That(MetricDirection.Minimize.Best([double.NaN]), Is.NaN);
        });
    }
}
