using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;

namespace SweepCluster.Cluster.Tests;

/// <summary>
/// What the actor tests' workers run in place of a node's trainers, so that they test the actors without loading libtorch
/// (the real trainers are tested in Training's tests, and wired into a node in the command-line tests):
/// <list type="bullet">
/// <item><c>builtin/sleep</c>, as the test experiments name it: <c>seconds</c> in <c>steps</c> equal parts, reporting
/// <c>value</c> (or its step's element, when a list) after each, stopped between steps when cancelled;</item>
/// <item><c>stand-in/value</c>: reports its <c>value</c> at once, and refuses one outside [0, 1] as a trainer refuses a
/// configuration that cannot work.</item>
/// </list>
/// </summary>
internal sealed class StandInRunner : ITrialRunner
{
    public IReadOnlyList<int> DetectGpus() => [];

    public TrialOutcome Run(TrialJob job, Action<EpochReport> onEpoch, Action<EpochProgress?> onBatch, CancellationToken cancellation) => job.Trainer switch
    {
        "builtin/sleep" => Sleep(job.Params, onEpoch, cancellation),
        "stand-in/value" => Value(job.Params, onEpoch),
        _ => throw new ArgumentException($"the stand-in runner has no trainer called '{job.Trainer}'"),
    };

    /// <summary>As the node's runner explains them: a refused configuration would fail again, anything else may not.</summary>
    public TrialFailure Explain(Exception error, string device) => error is ArgumentException
        ? new TrialFailure(error.Message, Retryable: false)
        : new TrialFailure($"{error.GetType().Name}: {error.Message.Split('\n')[0]}", Retryable: true);

    private static TrialOutcome Sleep(ParamValue.Map parameters, Action<EpochReport> onEpoch, CancellationToken cancellation)
    {
        var seconds = Number(parameters, "seconds");
        var steps = parameters["steps"] is ParamValue.Int s ? (int)s.Value : 1;
        var values = parameters["value"] is ParamValue.List list
            ? [.. list.Items.Select(item => Number(item, "value"))]
            : Enumerable.Repeat(Number(parameters, "value"), steps).ToArray();
        var epochs = new List<EpochReport>();
        for (var step = 1; step <= steps; step++)
        {
            if (cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds / steps))) cancellation.ThrowIfCancellationRequested();
            var report = new EpochReport(step, values[step - 1], values[step - 1], seconds / steps, 0);
            epochs.Add(report);
            onEpoch(report);
        }
        return Outcome(values[^1], epochs);
    }

    private static TrialOutcome Value(ParamValue.Map parameters, Action<EpochReport> onEpoch)
    {
        var value = Number(parameters, "value");
        if (value is < 0 or > 1) throw new ArgumentException($"value: needs a number in [0, 1] (got {value})");
        var report = new EpochReport(1, value, value, 0, 0);
        onEpoch(report);
        return Outcome(value, [report]);
    }

    private static double Number(ParamValue.Map parameters, string key) => Number(parameters[key], key);

    private static double Number(ParamValue? value, string key) => value switch
    {
        ParamValue.Real real => real.Value,
        ParamValue.Int whole => whole.Value,
        _ => throw new ArgumentException($"{key}: needs a number"),
    };

    private static TrialOutcome Outcome(double value, List<EpochReport> epochs) =>
        new(new Dictionary<string, double> { ["value"] = value }, epochs, new Dictionary<string, string>());
}
