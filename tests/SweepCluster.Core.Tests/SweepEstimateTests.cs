using SweepCluster.Core.Sweeps;

namespace SweepCluster.Core.Tests;

/// <summary>When a running sweep should end: the trials still to start, at the completed trials' pace, on the slots it runs on.</summary>
public class SweepEstimateTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static double? SecondsLeft(double? mean, int toStart, params double[] runningFor) =>
        SweepEstimate.End(Now, mean, toStart, [.. runningFor.Select(s => (DateTimeOffset?)Now.AddSeconds(-s))]) is { } end ? (end - Now).TotalSeconds : null;

    [Test]
    public void Trials_to_start_take_the_first_slot_to_come_free()
    {
        // Two slots free in 6 s; three 10 s trials to go: two end at 16 s, the third starts then and ends at 26 s.
        Assert.That(SecondsLeft(10, 3, 4, 4), Is.EqualTo(26).Within(1e-9));
        Assert.That(SecondsLeft(10, 0, 4, 1), Is.EqualTo(9).Within(1e-9), "the last running trial decides");
        Assert.That(SecondsLeft(10, 1, 12), Is.EqualTo(10).Within(1e-9), "a trial past the mean is taken as ending now");
    }

    [Test]
    public void There_is_no_estimate_without_a_pace()
    {
        Assert.That(SecondsLeft(null, 5, 3), Is.Null, "no trial has completed");
        Assert.That(SecondsLeft(10, 5), Is.Null, "trials wait and none runs");
        Assert.That(SecondsLeft(10, 0), Is.Zero, "nothing left to run");
    }

    [Test]
    public void A_very_large_sweep_shares_its_trials_evenly_over_the_slots()
    {
        Assert.That(SecondsLeft(1, 20_001, 1, 1), Is.EqualTo(10_000.5).Within(1e-6));
    }
}
