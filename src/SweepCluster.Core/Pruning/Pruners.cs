using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Pruning;

/// <summary>Decides, after a trial reports an epoch, whether to stop it.</summary>
public interface IPruner
{
    /// <param name="curves">Every trial's values by epoch (index 0 is epoch 1), the deciding trial's included.</param>
    bool ShouldPrune(int trial, int epoch, IReadOnlyDictionary<int, List<double>> curves);
}

public static class Pruners
{
    public const int MedianStartupTrials = 5;
    public const int ReductionFactor = 3;
    public const int MinEpochs = 1;

    /// <param name="maxEpochs">The epochs a trial runs when not stopped; Hyperband sizes its brackets by it.</param>
    public static IPruner? Create(PrunerKind kind, MetricDirection direction, int maxEpochs) => kind switch
    {
        PrunerKind.Median => new MedianPruner(direction, MedianStartupTrials),
        PrunerKind.SuccessiveHalving => new SuccessiveHalvingPruner(direction, MinEpochs, ReductionFactor),
        PrunerKind.Hyperband => new HyperbandPruner(direction, MinEpochs, ReductionFactor, maxEpochs),
        _ => null,
    };

    internal static double BestSoFar(MetricDirection direction, List<double> curve, int epoch) => direction.Best(curve.Take(epoch));
}

/// <summary>
/// Stops a trial whose best value so far is worse than the median of the other trials' best values at the same
/// epoch, once at least <paramref name="startupTrials"/> others have reached that epoch (Optuna's MedianPruner).
/// </summary>
public sealed class MedianPruner(MetricDirection direction, int startupTrials) : IPruner
{
    public bool ShouldPrune(int trial, int epoch, IReadOnlyDictionary<int, List<double>> curves)
    {
        var others = curves.Where(c => c.Key != trial && c.Value.Count >= epoch).Select(c => Pruners.BestSoFar(direction, c.Value, epoch)).Order().ToList();
        if (others.Count < startupTrials) return false;
        var median = others.Count % 2 == 1 ? others[others.Count / 2] : (others[others.Count / 2 - 1] + others[others.Count / 2]) / 2;
        return direction.IsBetter(median, than: Pruners.BestSoFar(direction, curves[trial], epoch));
    }
}

/// <summary>
/// Asynchronous successive halving (ASHA): rungs at minEpochs * eta^k epochs; a trial reaching a rung goes on only if
/// its value there is among the best 1/eta of the trials that have reached that rung so far (the best one when fewer).
/// </summary>
public sealed class SuccessiveHalvingPruner(MetricDirection direction, int minEpochs, int reduction) : IPruner
{
    public bool ShouldPrune(int trial, int epoch, IReadOnlyDictionary<int, List<double>> curves) =>
        IsRung(epoch) && !Promoted(trial, epoch, curves.Where(c => c.Value.Count >= epoch));

    internal bool IsRung(int epoch)
    {
        for (long rung = minEpochs; rung <= epoch; rung *= reduction)
            if (rung == epoch) return true;
        return false;
    }

    internal bool Promoted(int trial, int epoch, IEnumerable<KeyValuePair<int, List<double>>> competitors)
    {
        var values = competitors.Select(c => (c.Key, Value: c.Value[epoch - 1])).ToList();
        var mine = values.Single(v => v.Key == trial).Value;
        var better = values.Count(v => v.Key != trial && direction.IsBetter(v.Value, than: mine));
        return better < Math.Max(1, values.Count / reduction);
    }
}

/// <summary>
/// Hyperband as brackets of ASHA: bracket b starts halving at minEpochs * eta^b epochs, trials go to brackets by index,
/// and each bracket ranks its own trials only, so some trials always get a longer look before they are judged.
/// </summary>
public sealed class HyperbandPruner : IPruner
{
    private readonly SuccessiveHalvingPruner[] _brackets;

    public HyperbandPruner(MetricDirection direction, int minEpochs, int reduction, int maxEpochs)
    {
        var count = 1;
        for (long r = minEpochs * (long)reduction; r <= maxEpochs; r *= reduction) count++;
        _brackets = [.. Enumerable.Range(0, count).Select(b => new SuccessiveHalvingPruner(direction, minEpochs * (int)Math.Pow(reduction, b), reduction))];
    }

    public int Brackets => _brackets.Length;

    public bool ShouldPrune(int trial, int epoch, IReadOnlyDictionary<int, List<double>> curves)
    {
        var bracket = trial % _brackets.Length;
        var asha = _brackets[bracket];
        return asha.IsRung(epoch) && !asha.Promoted(trial, epoch, curves.Where(c => c.Key % _brackets.Length == bracket && c.Value.Count >= epoch));
    }
}
