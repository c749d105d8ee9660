using SweepCluster.Core.Results;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sweeps;

// Early stopping: the pruner's view of the curves trials reached at each epoch.
public sealed partial class SweepState
{
    /// <summary>
    /// True when the pruner stops the trial after the epoch it just reported. Never at a trial's last epoch
    /// (the <c>epochs</c> or <c>steps</c> it runs), where stopping would save nothing.
    /// </summary>
    public bool ShouldPrune(int index)
    {
        if (_pruner is null || !_running.TryGetValue(index, out var trial) || !_curves.TryGetValue(index, out var curve) || curve.Count == 0) return false;
        var final = Submitted.Epochs ?? (trial.Params["epochs"] ?? trial.Params["steps"]) switch
        {
            ParamValue.Int n => (int?)n.Value,
            // The built-ins report once, or once a step (default 1); networks and programs as many epochs as they run.
            _ => Spec.RunsCommands || KnownTrainers.NeedsData(Spec.Trainer) ? null : 1,
        };
        return curve.Count != final && _pruner.ShouldPrune(index, curve.Count, ComparedCurves(index, curve.Count));
    }

    /// <summary>Most other trials a pruner compares a trial with at an epoch, as TPE models at most <see cref="TpeSampler.MaxModelled"/>.</summary>
    public const int MaxComparedByPruner = 1_000;

    /// <summary>
    /// The trial's curve and those of the trials that reached <paramref name="epoch"/>: all of them up to
    /// <see cref="MaxComparedByPruner"/>, past that an even sample of them in the order they got there. Handing the pruner every
    /// curve made each epoch report cost time in proportion to the sweep's trials (a 20,000-trial sweep ran ten times as
    /// long as one of 5,000).
    /// </summary>
    private Dictionary<int, List<double>> ComparedCurves(int index, int epoch)
    {
        var reached = _reached[epoch - 1].Items;
        var step = Math.Max(1.0, reached.Count / (double)MaxComparedByPruner);
        var compared = new Dictionary<int, List<double>> { [index] = _curves[index] };
        for (var place = 0.0; place < reached.Count; place += step)
            compared.TryAdd(reached[(int)place].Index, reached[(int)place].Curve);
        return compared;
    }

    private void AddCurve(int index, List<double> curve)
    {
        for (var epoch = 1; epoch <= curve.Count; epoch++) Reached(index, epoch, curve);
    }

    /// <summary>
    /// Records that the trial reported the epoch; an attempt that starts over reports it again, and a pruner skips the repeat as it
    /// skips any trial already there. Past <see cref="MaxComparedByPruner"/> trials an epoch keeps an even sample of them.
    /// </summary>
    private void Reached(int index, int epoch, List<double> curve)
    {
        while (_reached.Count < epoch) _reached.Add(new EvenSample<(int, List<double>)>(MaxComparedByPruner));
        _reached[epoch - 1].Add((index, curve));
    }

    public SweepSubmitted Submitted { get; }

    public ExperimentSpec Spec { get; }

    public string Id => Submitted.SweepId;

    /// <summary>The trials the sweep runs: those submitted, and those added since (<see cref="SweepExtended"/>).</summary>
    public int TotalTrials { get; private set; }

    public SweepStatus Status { get; private set; } = SweepStatus.Pending;

    public DateTimeOffset? EndedAt { get; private set; }

    /// <summary>Why trials wait for a place, when they do; set by the coordinator's scheduling.</summary>
    public string? PendingReason { get; set; }

    /// <summary>What a trial asks of a worker; a GPU request becomes a CPU one on machines without GPUs.</summary>
    public ResourceRequest Resources => Submitted.RunGpuTrialsOnCpu ? Spec.Resources with { Gpu = 0 } : Spec.Resources;

    public bool IsEnded => Status is SweepStatus.Completed or SweepStatus.Cancelled;
}
