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

    private static TrialJob Job(string trainer, params string[] settings) =>
        new(trainer, SmallData.Params(settings), 1, "cpu", null, null, Path.GetTempPath(), null);

    [Test]
    public void Branin_and_hartmann6_report_their_known_minima()
    {
        var runner = new TrainerTrialRunner();
        var branin = runner.Run(Job("builtin/branin", $"x1={Math.PI}", "x2=2.275"), _ => { }, _ => { }, CancellationToken.None);
        Assert.That(branin.Metrics["value"], Is.EqualTo(0.397887).Within(1e-6));
        double[] optimum = [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573];
        var hartmann = runner.Run(Job("builtin/hartmann6", [.. optimum.Select((x, i) => $"x{i + 1}={x}")]), _ => { }, _ => { }, CancellationToken.None);
        Assert.That(hartmann.Metrics["value"], Is.EqualTo(-3.32237).Within(1e-5));
    }

    [Test]
    public void A_point_outside_the_domain_is_refused_for_good_with_the_key_and_range_named()
    {
        var runner = new TrainerTrialRunner();
        var error = Assert.Catch(() => runner.Run(Job("builtin/branin", "x1=42", "x2=1"), _ => { }, _ => { }, CancellationToken.None))!;
        Assert.That(runner.Explain(error, "cpu"), Is.EqualTo(new TrialFailure("x1: needs a number in [-5, 10] (got 42)", Retryable: false)));
    }

    [Test]
    public void A_network_too_large_for_memory_fails_with_an_out_of_memory_reason_worth_another_attempt()
    {
        var data = Directory.CreateTempSubdirectory("out-of-memory-").FullName;
        try
        {
            Training.Data.SyntheticShowers.Write(data, 32, 16, seed: 3);
            var runner = new TrainerTrialRunner();
            var job = Job("convnet", "epochs=1", "bs=16", "lr=0.002", "optimizer=adam", "normalize=yes", "out_channels=[400000,400000]") with { DataDirectory = data };
            var error = Assert.Catch(() => runner.Run(job, _ => { }, _ => { }, CancellationToken.None))!;
            var failure = runner.Explain(error, "cpu");
            Assert.That(failure.Reason, Does.StartWith("out of memory on cpu: DefaultCPUAllocator: can't allocate memory"));
            Assert.That(failure.Retryable, Is.True, "another trial may have held the memory");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
