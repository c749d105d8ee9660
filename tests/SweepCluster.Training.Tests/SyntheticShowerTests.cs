using System.Globalization;
using SweepCluster.Training.Data;

namespace SweepCluster.Training.Tests;

/// <summary>The synthetic showers have the physics the study's classes differ by, and not the one they do not.</summary>
public class SyntheticShowerTests
{
    private static readonly Lazy<ShowerSet> Set = new(() => ShowerGenerator.Generate(3000, seed: 11, "test"));

    [Test]
    public void A_seed_always_generates_the_same_showers()
    {
        var a = ShowerGenerator.Generate(50, seed: 3, "a");
        var b = ShowerGenerator.Generate(50, seed: 3, "b");
        var c = ShowerGenerator.Generate(50, seed: 4, "c");
        Assert.That(b.Pixels, Is.EqualTo(a.Pixels));
        Assert.That(b.Labels, Is.EqualTo(a.Labels));
        Assert.That(c.Pixels, Is.Not.EqualTo(a.Pixels));
    }

    [Test]
    public void Classes_are_balanced_and_not_separable_by_total_energy()
    {
        var set = Set.Value;
        var totals = Enumerable.Range(0, set.Count).Select(i => Sum(set.Image(i))).ToArray();
        Assert.That(set.Labels.Count(l => l == 1) / (double)set.Count, Is.EqualTo(0.5).Within(0.04));
        Assert.That(Auc(totals, set.Labels), Is.InRange(0.42, 0.58), "total ground energy alone is close to a coin toss");
    }

    [Test]
    public void Iron_showers_carry_many_more_muons()
    {
        var set = Set.Value;
        var muons = set.Info["Nmuons"];
        double Median(int label) => Enumerable.Range(0, set.Count).Where(i => set.Labels[i] == label).Select(i => muons[i]).Order().ElementAt(set.Labels.Count(l => l == label) / 2);
        Assert.That(Median(0), Is.GreaterThan(4 * Median(1)));
        Assert.That(Auc(muons, set.Labels), Is.LessThan(0.1), "muon count separates the classes (iron = 0 has more)");
        Assert.That(Auc(muons, set.Labels), Is.GreaterThan(0.005), "with overlapping tails: a few showers are ambiguous");
    }

    [Test]
    public void Iron_primaries_carry_more_energy_for_the_same_ground_signal()
    {
        var set = Set.Value;
        var ratio = Enumerable.Range(0, set.Count).Select(i => set.Info["E0"][i] / Sum(set.Image(i))).ToArray();
        Assert.That(Auc(ratio, set.Labels), Is.LessThan(0.05));
    }

    [Test]
    [Category(Peers.Category)]
    public void Written_files_read_back_identically_and_h5py_sees_the_swgo_layout()
    {
        var dir = Directory.CreateTempSubdirectory("synthetic-").FullName;
        try
        {
            var (train, _) = SyntheticShowers.Write(dir, 40, 10, seed: 2);
            var back = ShowerSet.Load(train);
            var original = ShowerGenerator.Generate(40, 2, "x");
            Assert.That(back.Pixels, Is.EqualTo(original.Pixels));
            Assert.That(back.Labels, Is.EqualTo(original.Labels));
            var layout = Peers.RunPython("""
                import sys, h5py
                f = h5py.File(sys.argv[1], "r")
                i = f["info"]
                # Fixed-length strings, bytes to h5py, as in the files pandas writes.
                print(f["data"].shape, f["data"].dtype, i.attrs["pandas_type"], list(i["block0_items"].asstr()[:]), i["block0_values"].shape)
                """, train).Trim();
            Assert.That(layout, Is.EqualTo("(40, 80, 80) float32 b'frame' ['ID_shower', 'E0', 'theta0', 'Nmuons', 'Y_class'] (40, 5)"));

            // The study's notebooks open the frame with pandas (PyTables underneath).
            var frame = Peers.RunPython("""
                import sys, pandas as pd
                info = pd.read_hdf(sys.argv[1], "info")
                print(list(info.columns), info.shape, repr(float(info["E0"].iloc[7])), int(info["Y_class"].sum()))
                """, train).Trim();
            var e0 = back.Info["E0"][7];
            Assert.That(frame, Is.EqualTo(
                $"['ID_shower', 'E0', 'theta0', 'Nmuons', 'Y_class'] (40, 5) {e0.ToString("R", CultureInfo.InvariantCulture)} {back.Labels.Sum(l => l)}"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double Sum(ReadOnlySpan<float> image)
    {
        var sum = 0.0;
        foreach (var v in image) sum += v;
        return sum;
    }

    /// <summary>Probability that a random proton scores above a random iron shower (Mann-Whitney).</summary>
    private static double Auc(IReadOnlyList<double> scores, byte[] labels)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        for (var r = 0; r < order.Length; r++) if (labels[order[r]] == 1) rankSum += r + 1;
        double positives = labels.Count(l => l == 1), negatives = labels.Length - positives;
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }
}
