using Akka.Actor;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;

namespace SweepCluster.Cluster.Tests;

/// <summary>No trial ends its worker: every way an attempt can go wrong fails that attempt with one line, and the worker runs the next.</summary>
public class TrialFailureTests : ActorTest
{
    private readonly string _runs = Directory.CreateTempSubdirectory("trial-failure-").FullName;

    [TearDown]
    public void RemoveRuns() => Directory.Delete(_runs, recursive: true);

    /// <summary>A runner that behaves as a test says, for the failures a real trainer cannot be made to have on demand.</summary>
    private sealed class ScriptedRunner(Func<Action<EpochReport>, TrialOutcome> run, Func<Exception, TrialFailure>? explain = null) : ITrialRunner
    {
        public IReadOnlyList<int> DetectGpus() => [];

        public TrialOutcome Run(TrialJob job, Action<EpochReport> onEpoch, Action<EpochProgress?> onBatch, CancellationToken cancellation) =>
            job.Trainer == "stand-in/value" ? Runner.Run(job, onEpoch, onBatch, cancellation) : run(onEpoch);

        public TrialFailure Explain(Exception error, string device) => explain?.Invoke(error) ?? Runner.Explain(error, device);
    }

    private static TrialOutcome Outcome(double value) => new(new Dictionary<string, double> { ["value"] = value }, [], new Dictionary<string, string>());

    private StartTrial Start(string trainer, int index, string? artifacts = null) =>
        new("s1", index, 1, trainer, new ParamValue.Map([KeyValuePair.Create("value", (ParamValue)new ParamValue.Real(0.5))]),
            5, "cpu", null, null, artifacts ?? Path.Combine(_runs, $"trial-{index:D4}"));

    /// <summary>Runs one scripted attempt, then a trial that succeeds on the same worker; returns how the scripted one ended.</summary>
    private ReportTrialEnded RunThenAnother(ITrialRunner runner, string? artifacts = null)
    {
        var coordinator = CreateTestProbe();
        var options = new WorkerOptions([], 2, null);
        var worker = Sys.ActorOf(Props.Create(() => new SweepWorker(coordinator.Ref, options, runner)));
        worker.Tell(Start("scripted", 1, artifacts));
        var ended = coordinator.FishForMessage<ReportTrialEnded>(r => r.Index == 1);
        worker.Tell(Start("stand-in/value", 2));
        Assert.That(coordinator.FishForMessage<ReportTrialEnded>(r => r.Index == 2).Status, Is.EqualTo(TrialStatus.Completed), "the worker goes on serving");
        return ended;
    }

    [Test]
    public void An_infinite_training_loss_fails_the_attempt_as_diverged()
    {
        var ended = RunThenAnother(new ScriptedRunner(onEpoch =>
        {
            onEpoch(new EpochReport(1, 0.7, 0.6, 1, 10));
            onEpoch(new EpochReport(2, double.PositiveInfinity, 0.6, 1, 10));
            return Outcome(0.6);
        }));
        Assert.That((ended.Status, ended.Reason, ended.DivergedAtEpoch, ended.Retryable),
            Is.EqualTo((TrialStatus.Failed, "the training loss became infinite in epoch 2", (int?)2, true)));
    }

    [Test]
    public void A_metric_that_is_not_a_number_fails_the_attempt()
    {
        var ended = RunThenAnother(new ScriptedRunner(onEpoch =>
        {
            onEpoch(new EpochReport(1, 0.7, 0.6, 1, 10));
            return Outcome(double.NaN);
        }));
        Assert.That((ended.Status, ended.Reason), Is.EqualTo((TrialStatus.Failed, "the metric value became NaN in epoch 1")));
    }

    [Test]
    public void An_attempt_whose_record_cannot_be_written_fails_with_the_folder_named()
    {
        var file = Path.Combine(_runs, "a-file");
        File.WriteAllText(file, "not a folder");
        var ended = RunThenAnother(new ScriptedRunner(_ => Outcome(0.5)), artifacts: Path.Combine(file, "trial-0001"));
        Assert.That(ended.Status, Is.EqualTo(TrialStatus.Failed));
        Assert.That(ended.Reason, Does.StartWith($"cannot write trial.json in {Path.Combine(file, "trial-0001")}: "));
        Assert.That(ended.Metrics, Is.Empty, "a result with no record is not reported as one");
    }

    [Test]
    public void An_error_the_runner_cannot_explain_still_fails_only_the_attempt()
    {
        var ended = RunThenAnother(new ScriptedRunner(_ => throw new InvalidOperationException("the trainer broke\nwith a long trace"),
            _ => throw new NotSupportedException("no explanation either")));
        Assert.That((ended.Status, ended.Reason, ended.Retryable),
            Is.EqualTo((TrialStatus.Failed, "the worker could not run the attempt: NotSupportedException: no explanation either", true)));
    }
}
