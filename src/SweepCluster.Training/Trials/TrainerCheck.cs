using System.Collections.Immutable;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Training.Commands;
using SweepCluster.Training.Data;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Training.Trials;

/// <summary>
/// The check before a sweep (the study's "tests for models"): the trainer runs once, on a small sample, with the first planned
/// trial's values, so that a sweep none of whose trials can run is refused before any is scheduled. A network trains one
/// epoch of <see cref="SampleShowers"/> showers (forward, backward, a step, an evaluation); the user's program runs with
/// <c>--check</c> when the experiment says it answers one (<c>check: true</c>). Nothing else is checked: built-in objectives
/// and .NET trainers need no sample to fail on.
/// </summary>
public static class TrainerCheck
{
    public const int SampleShowers = 16;

    /// <summary>How long a program's own check may take.</summary>
    public static readonly TimeSpan ProgramTimeout = TimeSpan.FromMinutes(5);

    /// <param name="dataDirectory">The data folder the trials will read, for a program's check (null: none, or the node's).</param>
    /// <param name="showers">The showers a network is checked on, when the trials' data is here; null: a synthetic sample.</param>
    /// <param name="workDirectory">Where a program's check writes its logs (its trial folder).</param>
    /// <returns>Null when the check passed or there is nothing to check; else why the sweep cannot run, in one line.</returns>
    public static string? Problem(ExperimentSpec spec, string? dataDirectory, Func<ShowerData>? showers, string workDirectory, CancellationToken cancellation)
    {
        var first = TrialPlanner.Plan(spec, trialsOverride: 1).Trials.FirstOrDefault(t => t.Params is not null);
        if (first?.Params is not { } values) return null;
        try
        {
            if (spec.Commands is { } commands)
            {
                if (!spec.Check || commands.Any(c => KnownTrainers.AssemblyEntry(c) is not null)) return null;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                timeout.CancelAfter(ProgramTimeout);
                CommandTrial.Check(new TrialJob(spec.Trainer, values, first.Seed, "cpu", 1, dataDirectory, Path.GetFullPath(workDirectory), null,
                    Command: new CommandJob([.. commands], spec.CodeDirectory!, spec.Metric.Name, spec.DataDirectory)), timeout.Token);
                return null;
            }
            if (!KnownTrainers.NeedsData(spec.Trainer)) return null;
            var sample = showers?.Invoke() is { } data
                ? new ShowerData(Head(data.Train, SampleShowers), Head(data.Test, SampleShowers / 2))
                : new ShowerData(ShowerGenerator.Generate(SampleShowers, spec.Seed, "check"), ShowerGenerator.Generate(SampleShowers / 2, spec.Seed + 1, "check"));
            ShowerTrainer.Train(new TrainingRequest(spec.Trainer, values, first.Seed, sample, Epochs: 1), cancellation: cancellation);
            return null;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return $"the program's check (--check) did not end within {ProgramTimeout.TotalMinutes:0} minutes";
        }
        catch (Exception e) when (e is InvalidTrialException or TrainingDivergedException or CommandTrialFailure or DataFileException || TrainingErrors.IsOutOfMemory(e))
        {
            return e.Message;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return $"{spec.Trainer} failed on a sample of {SampleShowers} showers: {TrainingErrors.FirstLine(e)}";
        }
    }

    private static ShowerSet Head(ShowerSet set, int count)
    {
        count = Math.Min(count, set.Count);
        return new ShowerSet(set.Source, set.Height, set.Width, set.Pixels[..(count * set.PixelsPerImage)], set.Labels[..count],
            set.Info.ToImmutableDictionary(c => c.Key, c => c.Value[..Math.Min(count, c.Value.Length)]));
    }
}
