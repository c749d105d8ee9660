using SweepCluster.Core.Pruning;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Tests;

/// <summary>Each pruner's decisions on hand-made learning curves (values by epoch).</summary>
public class PrunerTests
{
    private static Dictionary<int, List<double>> Curves(params double[][] curves) =>
        curves.Select((c, i) => (i, c)).ToDictionary(x => x.i, x => x.c.ToList());

    [Test]
    public void Median_waits_for_five_other_trials_then_stops_those_below_the_median()
    {
        var pruner = new MedianPruner(MetricDirection.Maximize, startupTrials: 5);
        var four = Curves([0.5], [0.6], [0.7], [0.8], [0.1]);
        Assert.That(pruner.ShouldPrune(4, 1, four), Is.False, "only four others so far");
        var six = Curves([0.5], [0.6], [0.7], [0.8], [0.9], [0.1], [0.75]);
        Assert.That(pruner.ShouldPrune(5, 1, six), Is.True, "0.1 is below the others' median 0.7");
        Assert.That(pruner.ShouldPrune(6, 1, six), Is.False, "0.75 is above it");
    }

    [Test]
    public void Median_compares_best_so_far_and_follows_the_direction()
    {
        var max = new MedianPruner(MetricDirection.Maximize, 5);
        var curves = Curves([0.5, 0.5], [0.6, 0.6], [0.7, 0.7], [0.8, 0.8], [0.9, 0.9], [0.95, 0.2]);
        Assert.That(max.ShouldPrune(5, 2, curves), Is.False, "its best so far (0.95) counts, not the dip");
        var min = new MedianPruner(MetricDirection.Minimize, 5);
        var losses = Curves([0.5], [0.6], [0.7], [0.8], [0.9], [0.95], [0.55]);
        Assert.That(min.ShouldPrune(5, 1, losses), Is.True, "minimizing: 0.95 is worse than the median 0.7");
        Assert.That(min.ShouldPrune(6, 1, losses), Is.False);
    }

    [Test]
    public void Successive_halving_promotes_the_best_third_at_each_rung()
    {
        var asha = new SuccessiveHalvingPruner(MetricDirection.Maximize, minEpochs: 1, reduction: 3);
        var curves = Curves([0.9], [0.5], [0.4], [0.3], [0.2], [0.8]);
        Assert.That(asha.ShouldPrune(0, 1, curves), Is.False, "the best");
        Assert.That(asha.ShouldPrune(5, 1, curves), Is.False, "second of six: within the best 6/3 = 2");
        Assert.That(asha.ShouldPrune(1, 1, curves), Is.True, "third of six");
        Assert.That(asha.ShouldPrune(4, 1, curves), Is.True);
        var later = Curves([0.9, 0.91], [0.5, 0.6], [0.8, 0.85]);
        Assert.That(asha.ShouldPrune(1, 2, later), Is.False, "epoch 2 is no rung (rungs: 1, 3, 9, ...)");
    }

    [Test]
    public void Successive_halving_lets_the_first_arrival_through_and_then_only_the_best()
    {
        var asha = new SuccessiveHalvingPruner(MetricDirection.Minimize, 1, 3);
        Assert.That(asha.ShouldPrune(0, 1, Curves([0.5])), Is.False);
        Assert.That(asha.ShouldPrune(1, 1, Curves([0.5], [0.7])), Is.True, "with fewer than three, only the best goes on");
        Assert.That(asha.ShouldPrune(1, 1, Curves([0.5], [0.3])), Is.False);
    }

    [Test]
    public void Hyperband_ranks_each_bracket_on_its_own()
    {
        var hyperband = new HyperbandPruner(MetricDirection.Maximize, minEpochs: 1, reduction: 3, maxEpochs: 9);
        Assert.That(hyperband.Brackets, Is.EqualTo(3), "brackets start halving at 1, 3 and 9 epochs");
        var curves = Curves([0.9], [0.1], [0.2], [0.8], [0.05], [0.3]);
        Assert.That(hyperband.ShouldPrune(3, 1, curves), Is.True, "bracket 0 (trials 0 and 3): 0.8 is behind 0.9");
        Assert.That(hyperband.ShouldPrune(1, 1, curves), Is.False, "bracket 1 starts halving at epoch 3, not 1");
        Assert.That(hyperband.ShouldPrune(4, 1, curves), Is.False, "nor does bracket 1 for trial 4");
    }

    [Test]
    public void None_is_no_pruner()
    {
        Assert.That(Pruners.Create(PrunerKind.None, MetricDirection.Maximize, 5), Is.Null);
        Assert.That(Pruners.Create(PrunerKind.Median, MetricDirection.Maximize, 5), Is.InstanceOf<MedianPruner>());
    }
}
