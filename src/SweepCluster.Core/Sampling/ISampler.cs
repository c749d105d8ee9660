using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sampling;

/// <summary>A trial that has ended, as a sampler sees it: its parameters and its metric value (null when it failed).</summary>
public sealed record FinishedTrial(int Index, ParamValue.Map Params, double? Value);

/// <summary>What a sampler is told when asked for a trial: which one, what has finished, and what is still running.</summary>
public sealed record SuggestRequest(int TrialIndex, IReadOnlyList<FinishedTrial> Finished, IReadOnlyList<ParamValue.Map> Running)
{
    public static SuggestRequest Ahead(int trialIndex) => new(trialIndex, [], []);
}

/// <summary>
/// Chooses the searched parameters of the next trial. The coordinator asks as slots free up, so adaptive
/// samplers can use the results so far; samplers that ignore them can be planned in advance.
/// </summary>
public interface ISampler
{
    /// <summary>True when a trial's parameters depend only on (sweep seed, trial index), never on results.</summary>
    bool PlansAhead { get; }

    /// <summary>The values of <c>param_space</c> for the trial (fixed <c>params</c> are not included).</summary>
    ParamValue.Map Suggest(SuggestRequest request);
}
