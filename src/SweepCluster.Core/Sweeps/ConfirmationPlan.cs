using System.Collections.Immutable;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sweeps;

/// <summary>
/// A sweep that re-runs another sweep's best configurations under new seeds, to tell a configuration that is good from
/// one whose single evaluation was lucky. Trial <c>i</c> runs configuration <c>i / Seeds</c>; nothing is sampled or pruned.
/// </summary>
/// <param name="Configurations">The source sweep's best trials, best first: the first is the winner being checked.</param>
public sealed record ConfirmationPlan(string SourceSweepId, int Seeds, ImmutableArray<ConfirmedConfiguration> Configurations)
{
    public const int MaxConfigurations = 20;
    public const int MaxSeeds = 100;

    public int TotalTrials => Seeds * Configurations.Length;

    public int ConfigurationOf(int trialIndex) => trialIndex / Seeds;

    public ConfirmationOf Summary() => new(SourceSweepId, Configurations.Length, Seeds);
}

/// <summary>What a confirmation sweep's header says of it: the sweep it checks, its top configurations and seeds each.</summary>
public sealed record ConfirmationOf(string Sweep, int Top, int Seeds);

/// <param name="SourceValue">The metric the configuration scored in the source sweep, on its one seed.</param>
public sealed record ConfirmedConfiguration(int SourceTrial, double SourceValue, ParamValue.Map Params);
