using Akka.Actor;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;

namespace SweepCluster.Cluster.Tests;

/// <summary>How far a running epoch has got: told by the worker as batches are trained, shown by the coordinator while it runs.</summary>
public class EpochProgressTests : CoordinatorTest
{
    /// <summary>Trains "batches" of 50 of 200 samples as the test lets it, then reports the epoch.</summary>
    private sealed class BatchingRunner(SemaphoreSlim batches) : ITrialRunner
    {
        public IReadOnlyList<int> DetectGpus() => [];

        public TrialOutcome Run(TrialJob job, Action<EpochReport> onEpoch, Action<EpochProgress?> onBatch, CancellationToken cancellation)
        {
            for (var samples = 50; samples <= 200; samples += 50)
            {
                batches.Wait(cancellation);
                onBatch(new EpochProgress(1, samples, 200));
            }
            onEpoch(new EpochReport(1, 0.5, 0.5, 1, 200));
            return new TrialOutcome(new Dictionary<string, double> { ["value"] = 0.5 }, [], new Dictionary<string, string>());
        }

        public TrialFailure Explain(Exception error, string device) => new(error.Message, Retryable: false);
    }

    [Test]
    public void A_worker_tells_how_far_the_epoch_has_got_at_once_then_every_few_seconds()
    {
        var coordinator = CreateTestProbe();
        using var batches = new SemaphoreSlim(0);
        var options = new WorkerOptions([], 1, null);
        var runner = new BatchingRunner(batches);
        var worker = Sys.ActorOf(Props.Create(() => new SweepWorker(coordinator.Ref, options, runner)));
        worker.Tell(new StartTrial("s1", 0, 1, "mine", ParamValue.Map.Empty, 5, "cpu", null, null, Path.Combine(Runs, "trial-0000")));
        batches.Release();
        var first = coordinator.FishForMessage<ReportEpochProgress>(_ => true);
        Assert.That((first.Index, first.Progress.Epoch, first.Progress.Samples, first.Progress.EpochSamples), Is.EqualTo((0, 1, 50L, 200L)));
        batches.Release(3);
        var more = 0;
        coordinator.FishForMessage(m => m is ReportTrialEnded || m is ReportEpochProgress && ++more < 0);
        Assert.That(more, Is.Zero, "the batches that follow within two seconds are not told one by one");
    }

    [Test]
    public void Status_shows_the_running_epoch_until_it_is_reported()
    {
        var (coordinator, worker, id, start) = FirstTrialOf(Experiments.Sleep(2));
        coordinator.Tell(new ReportEpochProgress(id, start.Index, start.Attempt + 1, new EpochProgress(1, 10, 100, 5)), worker.Ref);
        coordinator.Tell(new ReportEpochProgress(id, start.Index, start.Attempt, new EpochProgress(1, 40, 100, 850)), worker.Ref);
        coordinator.Tell(new ReportEpochProgress(id, start.Index, start.Attempt, new EpochProgress(1, 50, 100, double.NaN)), worker.Ref);
        coordinator.Tell(new ReportEpochProgress(id, start.Index, start.Attempt, new EpochProgress(-3, -1, 100, 5)), worker.Ref);
        Assert.That(RunningTrial(coordinator, id).InEpoch, Is.EqualTo(new EpochProgress(1, 40, 100, 850)), "the running attempt's, not a stale one's, nor figures no epoch can have");
        Assert.That(TrialDocument.Of(RunningTrial(coordinator, id)).InEpoch!.Fraction, Is.EqualTo(0.4));

        coordinator.Tell(new ReportTrialProgress(id, start.Index, start.Attempt, new EpochPoint(1, 0.5, 0.5, 1), 100), worker.Ref);
        AwaitAssert(() => Assert.That(RunningTrial(coordinator, id).InEpoch, Is.Null, "epoch 1 is reported: its progress is done"));
    }

    private TrialSnapshot RunningTrial(IActorRef coordinator, string id) =>
        coordinator.Ask<SweepStatusFound>(new GetSweepStatus(id), RemainingOrDefault).Result.Running.Single();
}
