using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sampling;

/// <summary>A trial that has ended, as a sampler sees it: its parameters and its metric value (null when it failed).</summary>
public sealed record FinishedTrial(int Index, ParamValue.Map Params, double? Value);

/// <summary>What a sampler is told when asked for a trial: which one, what has finished, and what is still running.</summary>
public sealed record SuggestRequest(int TrialIndex, IReadOnlyList<FinishedTrial> Finished, IReadOnlyList<ParamValue.Map> Running)
{
    /// <summary>How many of <see cref="Finished"/> are earlier sweeps' trials (a warm start): they count towards the random start-up trials.</summary>
    public int Reused { get; init; }

    /// <summary>True while the trial is one of the first <paramref name="startupTrials"/> (earlier sweeps' trials counted), or fewer results are known.</summary>
    public bool InStartup(int startupTrials, int observed) => observed < startupTrials || TrialIndex + Reused < startupTrials;

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
