using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Results;

namespace SweepCluster.Cluster.Tests;

/// <summary>A coordinator driven by test probes that play its workers; each test's runs go to a folder of their own.</summary>
public abstract class CoordinatorTest : ActorTest
{
    protected string Runs { get; } = Directory.CreateTempSubdirectory("coordinator-test-").FullName;

    [TearDown]
    public void RemoveRuns() => Directory.Delete(Runs, recursive: true);

    /// <summary>By default ended sweeps stay whole, so that tests read them with <see cref="GetSweep"/> as <c>sweepctl run</c> does.</summary>
    protected IActorRef NewCoordinator(CoordinatorOptions? options = null)
    {
        var chosen = options ?? CoordinatorOptions.Default(Runs) with { KeepEndedSweeps = true };
        return Sys.ActorOf(Props.Create(() => new SweepCoordinator(chosen)));
    }

    /// <summary>A probe to play a worker; it ignores the acknowledgements of ended attempts, which a test checks with a plain probe.</summary>
    protected TestProbe NewWorker()
    {
        var worker = CreateTestProbe();
        worker.IgnoreMessages<ForgetTrialEnd>();
        return worker;
    }

    /// <summary>The worker's offer, as its first message or a heartbeat, with the attempts it runs.</summary>
    protected static void Join(IActorRef coordinator, TestProbe worker, double cpu, int[]? gpus = null, params RunningAttempt[] running) =>
        coordinator.Tell(new RegisterWorker(worker.Ref.Path.ToString(), [.. gpus ?? []], cpu, [.. running]), worker.Ref);

    /// <summary>A worker without GPUs that runs trials asking for one on its CPU slots.</summary>
    protected static void JoinTakingGpuTrialsOnCpu(IActorRef coordinator, TestProbe worker, double cpu) =>
        coordinator.Tell(new RegisterWorker(worker.Ref.Path.ToString(), [], cpu, [], GpuTrialsOnCpu: true), worker.Ref);

    protected string Submit(IActorRef coordinator, string yaml) =>
        coordinator.Ask<SweepAccepted>(new SubmitSweep(yaml, "sleep.yml"), RemainingOrDefault).Result.Id;

    /// <summary>A coordinator with one worker of one CPU slot, running the first trial of the sweep submitted.</summary>
    protected (IActorRef Coordinator, TestProbe Worker, string Id, StartTrial Start) FirstTrialOf(string yaml)
    {
        var coordinator = NewCoordinator();
        var worker = NewWorker();
        Join(coordinator, worker, cpu: 1);
        var id = Submit(coordinator, yaml);
        return (coordinator, worker, id, worker.ExpectMsg<StartTrial>());
    }

    protected static void Finish(IActorRef coordinator, TestProbe worker, StartTrial start, double value) =>
        coordinator.Tell(new ReportTrialEnded(start.SweepId, start.Index, start.Attempt, TrialStatus.Completed,
            ImmutableDictionary<string, double>.Empty.Add("value", value), null, 0.1, start.ArtifactDirectory), worker.Ref);

    protected SweepSnapshot Status(IActorRef coordinator, string id) => coordinator.Ask<SweepFound>(new GetSweep(id), RemainingOrDefault).Result.Sweep!;
}
