using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Training.Trials;

namespace SweepCluster.Training.Tests;

public class BuiltinObjectiveTests
{
    private static TrialJob SleepJob(string checkpoints) => new("builtin/sleep", new ParamValue.Map([
            new("seconds", new ParamValue.Real(0.4)), new("steps", new ParamValue.Int(4)),
            new("value", new ParamValue.List([new ParamValue.Real(0.1), new ParamValue.Real(0.2), new ParamValue.Real(0.3), new ParamValue.Real(0.4)])),
        ]), 1, "cpu", null, null, Path.GetTempPath(), checkpoints);

    [Test]
    public void A_sleep_trial_stopped_after_two_steps_sleeps_only_the_other_two_when_it_runs_again_from_its_checkpoint()
    {
        var checkpoints = Directory.CreateTempSubdirectory("sleep-checkpoint-").FullName;
        try
        {
            using var stop = new CancellationTokenSource();
            var first = new List<int>();
            Assert.Throws<OperationCanceledException>(() => BuiltinObjectives.Run(SleepJob(checkpoints), e =>
            {
                first.Add(e.Epoch);
                if (e.Epoch == 2) stop.Cancel();
            }, stop.Token));

            var again = new List<int>();
            var outcome = BuiltinObjectives.Run(SleepJob(checkpoints), e => again.Add(e.Epoch), CancellationToken.None);

            Assert.That(first, Is.EqualTo(new[] { 1, 2 }));
            Assert.That(again, Is.EqualTo(new[] { 3, 4 }), "the retry reports only the steps it slept");
            Assert.That(outcome.Epochs.Select(e => e.Value), Is.EqualTo(new[] { 0.1, 0.2, 0.3, 0.4 }), "its result covers the whole trial");
            Assert.That(outcome.Metrics["value"], Is.EqualTo(0.4));
        }
        finally
        {
            Directory.Delete(checkpoints, recursive: true);
        }
    }
}
