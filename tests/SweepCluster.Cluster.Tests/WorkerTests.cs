using Akka.Actor;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Results;
using SweepCluster.Core.Scheduling;
using SweepCluster.Core.Spec;

namespace SweepCluster.Cluster.Tests;

public class WorkerTests : ActorTest
{
    private readonly string _runs = Directory.CreateTempSubdirectory("worker-test-").FullName;

    [TearDown]
    public void RemoveRuns() => Directory.Delete(_runs, recursive: true);

    private static readonly WorkerOptions Options = new([1], 3, null);

    private IActorRef NewWorker(Akka.TestKit.TestProbe coordinator) => Sys.ActorOf(Props.Create(() => new SweepWorker(coordinator.Ref, Options, Runner)));

    private StartTrial Start(string trainer, int index, double? timeout = null, params (string Key, ParamValue Value)[] values) =>
        new("s1", index, 1, trainer, new ParamValue.Map([.. values.Select(v => KeyValuePair.Create(v.Key, v.Value))]), 5, "cpu", null, timeout,
            Path.Combine(_runs, $"trial-{index:D4}"));

    private static (string, ParamValue) Real(string key, double value) => (key, new ParamValue.Real(value));

    [Test]
    public void The_worker_offers_its_resources_at_start_and_as_a_heartbeat()
    {
        var coordinator = CreateTestProbe();
        NewWorker(coordinator);
        var offer = coordinator.ExpectMsg<RegisterWorker>();
        Assert.That((offer.Gpus.Single(), offer.CpuSlots, offer.Running.Length), Is.EqualTo((1, 3.0, 0)));
        Assert.That(offer.Node, Does.StartWith("akka.tcp://sweep@127.0.0.1:"));
        coordinator.ExpectMsg<RegisterWorker>(TimeSpan.FromSeconds(5));
    }

    [Test]
    public void A_trial_reports_each_step_then_its_result_and_writes_trial_json()
    {
        var coordinator = CreateTestProbe();
        var worker = NewWorker(coordinator);
        coordinator.ExpectMsg<RegisterWorker>();
        var start = Start("builtin/sleep", 4, null, Real("seconds", 0.2), ("steps", new ParamValue.Int(2)), ("value", new ParamValue.List([new ParamValue.Real(0.3), new ParamValue.Real(0.7)])));
        worker.Tell(start);
        var progress = coordinator.FishForMessage<ReportTrialProgress>(_ => true);
        Assert.That((progress.Point.Epoch, progress.Point.Value), Is.EqualTo((1, 0.3)));
        Assert.That(coordinator.FishForMessage<ReportTrialProgress>(_ => true).Point.Value, Is.EqualTo(0.7));
        var ended = coordinator.FishForMessage<ReportTrialEnded>(_ => true);
        Assert.That((ended.Status, ended.Metrics["value"]), Is.EqualTo((TrialStatus.Completed, 0.7)));
        var json = File.ReadAllText(Path.Combine(start.ArtifactDirectory, "trial.json"));
        Assert.That(json, Does.Contain("\"status\": \"completed\"").And.Contain("\"device\": \"cpu\"").And.Contain("\"node\": \"akka.tcp://sweep@"));
    }

    [Test]
    public void A_trainer_exception_fails_the_trial_with_its_message()
    {
        var coordinator = CreateTestProbe();
        var worker = NewWorker(coordinator);
        worker.Tell(Start("stand-in/value", 1, null, Real("value", 42)));
        var ended = coordinator.FishForMessage<ReportTrialEnded>(_ => true);
        Assert.That((ended.Status, ended.Reason, ended.Retryable), Is.EqualTo((TrialStatus.Failed, "value: needs a number in [0, 1] (got 42)", false)));
    }

    [Test]
    public void A_trial_over_its_timeout_fails_as_a_timeout()
    {
        var coordinator = CreateTestProbe();
        var worker = NewWorker(coordinator);
        worker.Tell(Start("builtin/sleep", 2, 0.3, Real("seconds", 30), Real("value", 1)));
        var ended = coordinator.FishForMessage<ReportTrialEnded>(_ => true, TimeSpan.FromSeconds(5));
        Assert.That(ended.Status, Is.EqualTo(TrialStatus.Failed));
        Assert.That(ended.Reason, Does.StartWith("timeout: still running after 0.3 s"));
        Assert.That(ended.DurationSeconds, Is.LessThan(5));
    }

    [Test]
    public void A_cancelled_trial_stops_between_steps()
    {
        var coordinator = CreateTestProbe();
        var worker = NewWorker(coordinator);
        worker.Tell(Start("builtin/sleep", 3, null, Real("seconds", 30), Real("value", 1)));
        coordinator.FishForMessage<RegisterWorker>(r => r.Running.Length == 1, TimeSpan.FromSeconds(5));
        worker.Tell(new CancelTrial("s1", 3, 1));
        var ended = coordinator.FishForMessage<ReportTrialEnded>(_ => true, TimeSpan.FromSeconds(5));
        Assert.That(ended.Status, Is.EqualTo(TrialStatus.Cancelled));
    }

    [Test]
    public void A_worker_that_cannot_write_its_runs_folder_takes_no_trials_until_it_can()
    {
        var runs = Path.Combine(_runs, "runs");
        File.WriteAllText(runs, "a file where the runs folder should be"); // unwritable even for root
        var coordinator = CreateTestProbe();
        var options = Options with { RunsDirectory = runs };
        var worker = Sys.ActorOf(Props.Create(() => new SweepWorker(coordinator.Ref, options, Runner)));
        coordinator.ExpectMsg<RegisterWorker>();
        worker.Tell(Start("stand-in/value", 0, null, Real("value", 0.5)) with { ArtifactDirectory = "sweep-s1/trial-0000" });
        var refusal = coordinator.FishForMessage<RegisterWorker>(r => r.Problem is not null);
        Assert.That(refusal.Problem, Does.StartWith($"it cannot write its runs folder {runs} (cannot write trial.json in "));
        var ended = coordinator.ExpectMsg<ReportTrialEnded>();
        Assert.That((ended.Status, ended.Retryable), Is.EqualTo((TrialStatus.Failed, true)), "said after the worker's refusal, so nothing more is placed here");

        File.Delete(runs);
        Directory.CreateDirectory(runs);
        Assert.That(coordinator.FishForMessage<RegisterWorker>(r => r.Problem is null, TimeSpan.FromSeconds(10)).CpuSlots, Is.EqualTo(3), "it takes trials again");
    }
}

public class WorkerPoolProblemTests
{
    [Test]
    public void A_worker_with_a_problem_takes_nothing_and_the_reason_says_why()
    {
        var pool = new WorkerPool();
        pool.Offer("w1", "akka.tcp://sweep@10.0.0.5:4053", [], 4, problem: "it cannot write its runs folder /store/runs");
        Assert.That(pool.TryPlace(new ResourceRequest(1, 0), out var reason), Is.Null);
        Assert.That(reason, Is.EqualTo("no worker can take trials: akka.tcp://sweep@10.0.0.5:4053 it cannot write its runs folder /store/runs"));
        pool.Offer("w1", "akka.tcp://sweep@10.0.0.5:4053", [], 4);
        Assert.That(pool.TryPlace(new ResourceRequest(1, 0), out _), Is.Not.Null);
        Assert.That(pool.Snapshot().Single().Problem, Is.Null);
    }
}
