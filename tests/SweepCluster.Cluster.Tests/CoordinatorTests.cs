using System.Collections.Immutable;
using Akka.Actor;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;

namespace SweepCluster.Cluster.Tests;

public class CoordinatorTests : CoordinatorTest
{
    [Test]
    public void A_sweep_runs_on_a_worker_to_completion_and_writes_its_summary()
    {
        var coordinator = NewCoordinator();
        var worker = NewWorker();
        Join(coordinator, worker, cpu: 1);
        var id = Submit(coordinator, Experiments.Sleep(3));
        for (var i = 0; i < 3; i++)
        {
            var start = worker.ExpectMsg<StartTrial>();
            Assert.That(start.Index, Is.EqualTo(i), "one slot: one trial at a time, in order");
            if (i < 2) AwaitCondition(() => Status(coordinator, id).PendingReason == "all cpu slots are busy", null, "the next trial waits for the slot");
            coordinator.Tell(new ReportTrialProgress(id, i, 1, new EpochPoint(1, 0.5, 0.5, 0.1), 0), worker.Ref);
            Finish(coordinator, worker, start, value: i == 1 ? 0.9 : 0.1);
        }
        AwaitCondition(() => Status(coordinator, id).Status == SweepStatus.Completed);
        var sweep = Status(coordinator, id);
        Assert.That(sweep.Best!.Index, Is.EqualTo(1));
        Assert.That(sweep.Trials.All(t => t.Epochs.Length == 1 && t.Node == worker.Ref.Path.ToString()));
        AwaitCondition(() => File.Exists(Path.Combine(sweep.RunDirectory, "sweep.json")));
        Assert.That(File.ReadAllText(Path.Combine(sweep.RunDirectory, "sweep.json")), Does.Contain("\"state\": \"completed\""));
    }

    [Test]
    public void A_command_the_coordinator_fails_on_is_refused_with_the_fault_and_the_coordinator_goes_on()
    {
        var (coordinator, worker, id, start) = FirstTrialOf(Experiments.Sleep(2));
        // A message from another node that no sweepctl would send: no experiment text at all.
        var refused = coordinator.Ask<SweepRejected>(new SubmitSweep(null!, "hostile.yml"), RemainingOrDefault).Result;
        Assert.That(refused.Errors.Single(), Does.StartWith("the coordinator could not take this command (").And.EndWith("nothing of it was recorded"));
        Finish(coordinator, worker, start, 0.5);
        Assert.That(worker.ExpectMsg<StartTrial>().Index, Is.EqualTo(1), "the sweep goes on where it was: the coordinator did not restart");
        Assert.That(Submit(coordinator, Experiments.Sleep(1)), Is.Not.EqualTo(id), "and takes the next sweep");
    }

    [Test]
    public void Free_slots_are_offered_to_the_sweeps_in_turn_not_to_the_first_sweep_until_it_has_none_left()
    {
        var coordinator = NewCoordinator();
        var worker = NewWorker();
        Join(coordinator, worker, cpu: 1);
        var first = Submit(coordinator, Experiments.Sleep(3));
        var second = Submit(coordinator, Experiments.Sleep(2, seed: 8));
        var started = new List<(string, int)>();
        for (var i = 0; i < 5; i++)
        {
            var start = worker.ExpectMsg<StartTrial>();
            started.Add((start.SweepId == first ? "first" : "second", start.Index));
            Finish(coordinator, worker, start, 0.5);
        }
        Assert.That(started, Is.EqualTo(new[] { ("first", 0), ("second", 0), ("first", 1), ("second", 1), ("first", 2) }));
    }

    [Test]
    public void An_ended_sweep_s_trials_are_read_from_its_sweep_json_and_one_that_cannot_be_read_is_answered_with_why()
    {
        var coordinator = NewCoordinator(CoordinatorOptions.Default(Runs));
        var worker = NewWorker();
        Join(coordinator, worker, cpu: 1);
        var id = Submit(coordinator, Experiments.Sleep(2));
        for (var i = 0; i < 2; i++) Finish(coordinator, worker, worker.ExpectMsg<StartTrial>(), i / 10.0);
        AwaitCondition(() => coordinator.Ask<SweepFound>(new GetSweep(id), RemainingOrDefault).Result.Sweep is null, null, "the ended sweep shrinks to its sweep.json");
        var summary = Path.Combine(coordinator.Ask<SweepStatusFound>(new GetSweepStatus(id), RemainingOrDefault).Result.Sweep!.Header.RunDirectory, "sweep.json");
        var asked = Enumerable.Range(0, 3).Select(_ => coordinator.Ask<TrialsFound>(new GetTrials(id, null, 0, 10), RemainingOrDefault)).ToList();
        Assert.That(asked.Select(a => a.Result.Trials.Select(t => t.Index)), Has.All.EquivalentTo(new[] { 0, 1 }), "queries asked while it is read wait for the one reading");

        var other = Submit(coordinator, Experiments.Sleep(1, seed: 8));
        Finish(coordinator, worker, worker.ExpectMsg<StartTrial>(), 0.5);
        AwaitCondition(() => coordinator.Ask<SweepFound>(new GetSweep(other), RemainingOrDefault).Result.Sweep is null);
        File.Delete(summary);
        Assert.That(coordinator.Ask<TrialFound>(new GetTrial(other, 0), RemainingOrDefault).Result.Trial!.Index, Is.Zero, "the other sweep's trials are read in place of the first's");
        var unreadable = coordinator.Ask<TrialsFound>(new GetTrials(id, null, 0, 10), RemainingOrDefault).Result;
        Assert.That(unreadable.Unreadable, Does.StartWith($"the trials of ended sweep {id} are read from its sweep.json, which failed:").And.Contain(summary));
        Assert.That(coordinator.Ask<TrialFound>(new GetTrial(other, 0), RemainingOrDefault).Result.Trial!.Index, Is.Zero, "the coordinator goes on answering");
    }

    [Test]
    public void An_enqueued_configuration_starts_on_the_next_free_slot_and_a_bad_one_is_refused_with_its_dimension()
    {
        var coordinator = NewCoordinator();
        var worker = NewWorker();
        Join(coordinator, worker, cpu: 1);
        var id = Submit(coordinator, Experiments.Sleep(3).Replace("sampler: random", "sampler: tpe"));
        var first = worker.ExpectMsg<StartTrial>();

        var refused = coordinator.Ask<SweepRejected>(new EnqueueTrial(id, ImmutableDictionary<string, string>.Empty.Add("value", "1.5")), RemainingOrDefault).Result;
        Assert.That(refused.Errors, Is.EqualTo(new[] { "value=1.5: not a value of uniform(0, 1)" }));
        var accepted = coordinator.Ask<TrialEnqueueAccepted>(new EnqueueTrial(id, ImmutableDictionary<string, string>.Empty.Add("value", "0.123")), RemainingOrDefault).Result;
        Assert.That(accepted.Ahead, Is.Zero);

        Finish(coordinator, worker, first, 0.5);
        var next = worker.ExpectMsg<StartTrial>();
        Assert.That((next.Index, next.Params["value"]), Is.EqualTo((1, (ParamValue)new ParamValue.Real(0.123))), "the enqueued configuration runs before any suggestion");
        Finish(coordinator, worker, next, 0.123);
        Assert.That(worker.ExpectMsg<StartTrial>().Params["value"], Is.Not.EqualTo(new ParamValue.Real(0.123)));
    }

    [Test]
    public void A_confirmation_of_an_ended_sweep_reruns_its_best_distinct_configurations()
    {
        var coordinator = NewCoordinator(CoordinatorOptions.Default(Runs));
        var worker = NewWorker();
        Join(coordinator, worker, cpu: 1);
        // A grid of three values, each run twice: the best two distinct configurations are 0.3 and 0.2.
        var yaml = Experiments.Sleep(2).Replace("value: uniform(0, 1)", "value: grid([0.1, 0.2, 0.3])").Replace("sampler: random", "sampler: grid");
        var id = Submit(coordinator, yaml);
        for (var i = 0; i < 6; i++)
        {
            var start = worker.ExpectMsg<StartTrial>();
            Finish(coordinator, worker, start, start.Params["value"] is ParamValue.Real v ? v.Value : double.NaN);
        }
        AwaitCondition(() => coordinator.Ask<SweepStatusFound>(new GetSweepStatus(id), RemainingOrDefault).Result.Sweep?.Header.State == SweepStatus.Completed);
        AwaitCondition(() => coordinator.Ask<SweepFound>(new GetSweep(id), RemainingOrDefault).Result.Sweep is null, null, "the ended sweep shrinks");

        var confirmation = coordinator.Ask<SweepAccepted>(new ConfirmSweep(id, Top: 2, Seeds: 3), RemainingOrDefault).Result;
        Assert.That(confirmation.TotalTrials, Is.EqualTo(6));
        var starts = Enumerable.Range(0, 6).Select(_ =>
        {
            var start = worker.ExpectMsg<StartTrial>();
            Finish(coordinator, worker, start, 0.5);
            return start;
        }).ToList();
        Assert.That(starts.Select(s => ((ParamValue.Real)s.Params["value"]!).Value), Is.EqualTo(new[] { 0.3, 0.3, 0.3, 0.2, 0.2, 0.2 }));
        AwaitCondition(() => coordinator.Ask<ConfirmationFound>(new GetConfirmation(confirmation.Id), RemainingOrDefault).Result.Verdict!.Complete);

        var rejected = coordinator.Ask<SweepRejected>(new ConfirmSweep("nope", 2, 3), RemainingOrDefault).Result;
        Assert.That(rejected.Errors, Is.EqualTo(new[] { "no sweep has the id 'nope' (sweep list shows them)" }));
    }

    [Test]
    public void An_ended_sweep_is_no_longer_held_whole_and_answers_status_list_and_trial_pages_from_its_sweep_json()
    {
        var coordinator = NewCoordinator(CoordinatorOptions.Default(Runs));
        var worker = NewWorker();
        Join(coordinator, worker, cpu: 1);
        var id = Submit(coordinator, Experiments.Sleep(5));
        double[] values = [0.3, 0.9, 0.1, 0.7, 0.5];
        foreach (var value in values) Finish(coordinator, worker, worker.ExpectMsg<StartTrial>(), value);

        AwaitCondition(() => coordinator.Ask<SweepStatusFound>(new GetSweepStatus(id), RemainingOrDefault).Result.Sweep?.Header.State == SweepStatus.Completed);
        Assert.That(coordinator.Ask<SweepFound>(new GetSweep(id), RemainingOrDefault).Result.Sweep, Is.Null, "held as a header, not whole");
        var status = coordinator.Ask<SweepStatusFound>(new GetSweepStatus(id), RemainingOrDefault).Result;
        Assert.That((status.Sweep!.Header.Summary.Completed, status.Sweep.Best!.Index, status.Sweep.Header.Summary.Max), Is.EqualTo((5, 1, 0.9)));
        Assert.That(coordinator.Ask<SweepsListed>(new ListSweeps(), RemainingOrDefault).Result.Sweeps.Single().Header.Id, Is.EqualTo(id));

        List<int> Page(int offset, int limit) =>
            [.. coordinator.Ask<TrialsFound>(new GetTrials(id, TrialStatus.Completed, offset, limit), RemainingOrDefault).Result.Trials.Select(t => t.Index)];
        Assert.That(Page(0, 2).Concat(Page(2, 100)), Is.EqualTo(new[] { 1, 3, 4, 0, 2 }), "best first, page after page");
        Assert.That(coordinator.Ask<TrialsFound>(new GetTrials(id, TrialStatus.Failed, 0, 100), RemainingOrDefault).Result.Matching, Is.Zero);

        // Another ended sweep's pages take the place of this one's; this one's file is gone, and a query says where it was looked for.
        var other = Submit(coordinator, Experiments.Sleep(1));
        Finish(coordinator, worker, worker.ExpectMsg<StartTrial>(), 0.5);
        AwaitCondition(() => coordinator.Ask<TrialsFound>(new GetTrials(other, null, 0, 100), RemainingOrDefault).Result.Trials.Length == 1);
        var file = Path.Combine(status.Sweep.Header.RunDirectory, "sweep.json");
        File.Delete(file);
        Assert.That(coordinator.Ask<TrialsFound>(new GetTrials(id, null, 0, 100), RemainingOrDefault).Result.Unreadable, Does.Contain(file));
        Assert.That(coordinator.Ask<SweepCancelAccepted>(new CancelSweep(id), RemainingOrDefault).Result.Message, Is.EqualTo($"sweep {id} had already ended (completed)"));
    }

    [Test]
    public void Sweeps_are_listed_in_pages_in_the_order_they_were_submitted()
    {
        var coordinator = NewCoordinator(CoordinatorOptions.Default(Runs));
        var worker = NewWorker();
        Join(coordinator, worker, cpu: 1);
        var ids = new List<string>();
        for (var i = 0; i < 120; i++)
        {
            ids.Add(Submit(coordinator, Experiments.Sleep(1)));
            if (i < 119) Finish(coordinator, worker, worker.ExpectMsg<StartTrial>(), 0.5); // the last one runs
        }
        var pages = Enumerable.Range(0, 3).Select(p => coordinator.Ask<SweepsListed>(new ListSweeps(p * ListSweeps.MaxLimit), RemainingOrDefault).Result).ToList();
        Assert.That(pages.Select(p => p.Sweeps.Length), Is.EqualTo(new[] { 50, 50, 20 }));
        Assert.That(pages.Select(p => p.Total), Is.All.EqualTo(120));
        Assert.That(pages.SelectMany(p => p.Sweeps).Select(o => o.Header.Id), Is.EqualTo(ids), "ended and running sweeps together, oldest first");
        Assert.That(pages[2].Sweeps[^1].Header.State, Is.EqualTo(SweepStatus.Running));
    }

    [Test]
    public void An_invalid_experiment_is_rejected_with_located_errors()
    {
        var coordinator = NewCoordinator();
        var reply = coordinator.Ask<SweepRejected>(new SubmitSweep(Experiments.Sleep(2).Replace("uniform(0, 1)", "loguniform(0, 1)"), "sleep.yml"), RemainingOrDefault).Result;
        Assert.That(reply.Errors.Single(), Does.StartWith("param_space.value: loguniform needs lo > 0 (got 0) at sleep.yml:"));
        coordinator.Tell(new ListSweeps());
        Assert.That(ExpectMsg<SweepsListed>().Sweeps, Is.Empty, "nothing was started, and the coordinator still answers");
    }

    [Test]
    public void Gpu_trials_wait_with_a_reason_until_a_worker_offers_a_gpu()
    {
        var coordinator = NewCoordinator();
        var cpuWorker = NewWorker();
        Join(coordinator, cpuWorker, cpu: 4);
        var id = Submit(coordinator, Experiments.Sleep(2, resources: "resources_per_worker: {cpu: 1, gpu: 0.5}"));
        AwaitCondition(() => Status(coordinator, id).PendingReason == "no worker offers gpu (a worker started with --gpu-trials-on-cpu runs such trials on its cpu slots)",
            null, "the trials to wait, saying why and what would let them run");
        var gpuWorker = NewWorker();
        Join(coordinator, gpuWorker, 4, [0]);
        var starts = new[] { gpuWorker.ExpectMsg<StartTrial>(), gpuWorker.ExpectMsg<StartTrial>() };
        Assert.That(starts.Select(s => s.Device), Is.EqualTo(new[] { "cuda:0", "cuda:0" }), "two half-GPU trials share one GPU");
        Assert.That(Status(coordinator, id).PendingReason, Is.Null);
        Assert.That(cpuWorker.HasMessages, Is.False, "a trial that asks for a GPU never went to the CPU-only worker");
    }

    [Test]
    public void A_worker_that_takes_gpu_trials_on_cpu_runs_them_on_its_cpu_slots()
    {
        var coordinator = NewCoordinator();
        var worker = NewWorker();
        JoinTakingGpuTrialsOnCpu(coordinator, worker, cpu: 1);
        Submit(coordinator, Experiments.Sleep(1, resources: "resources_per_worker: {cpu: 1, gpu: 1}"));
        Assert.That(worker.ExpectMsg<StartTrial>().Device, Is.EqualTo("cpu"));
    }

    [Test]
    public void A_report_from_a_stale_attempt_is_ignored()
    {
        var coordinator = NewCoordinator();
        var first = NewWorker();
        Join(coordinator, first, cpu: 1);
        var id = Submit(coordinator, Experiments.Sleep(1));
        var attempt1 = first.ExpectMsg<StartTrial>();
        Sys.Stop(first.Ref);
        var second = NewWorker();
        Join(coordinator, second, cpu: 1);
        var attempt2 = second.ExpectMsg<StartTrial>();
        Assert.That((attempt2.Index, attempt2.Attempt), Is.EqualTo((attempt1.Index, 2)), "the lost trial starts again elsewhere");
        Finish(coordinator, second, attempt1, value: 0.123);
        Assert.That(Status(coordinator, id).Status, Is.EqualTo(SweepStatus.Running), "attempt 1's result does not count");
        Finish(coordinator, second, attempt2, value: 0.5);
        AwaitCondition(() => Status(coordinator, id).Trials.Single().Metrics.GetValueOrDefault("value") == 0.5);
    }

    [Test]
    public void Cancelling_stops_running_trials_and_drops_pending_ones()
    {
        var coordinator = NewCoordinator();
        var worker = NewWorker();
        Join(coordinator, worker, cpu: 2);
        var id = Submit(coordinator, Experiments.Sleep(6));
        var running = new[] { worker.ExpectMsg<StartTrial>(), worker.ExpectMsg<StartTrial>() };
        Assert.That(coordinator.Ask<SweepCancelAccepted>(new CancelSweep(id), RemainingOrDefault).Result.Found);
        var cancels = new[] { worker.ExpectMsg<CancelTrial>(), worker.ExpectMsg<CancelTrial>() };
        Assert.That(cancels.Select(c => c.Index).Order(), Is.EqualTo(running.Select(s => s.Index).Order()));
        foreach (var start in running)
            coordinator.Tell(new ReportTrialEnded(id, start.Index, start.Attempt, TrialStatus.Cancelled, ImmutableDictionary<string, double>.Empty, "cancelled", 0.1, null), worker.Ref);
        AwaitCondition(() => Status(coordinator, id).Status == SweepStatus.Cancelled);
        Assert.That(Status(coordinator, id).Trials.Where(t => running.All(r => r.Index != t.Index)).Select(t => (t.Status, t.Attempt)),
            Is.All.EqualTo((TrialStatus.Cancelled, 0)), "no other trial ever started");
        Assert.That(coordinator.Ask<SweepCancelAccepted>(new CancelSweep("nope"), RemainingOrDefault).Result.Message, Is.EqualTo("no sweep has the id 'nope'"));
    }

    [Test]
    public void Workers_are_listed_with_what_runs_on_them()
    {
        var coordinator = NewCoordinator();
        var worker = NewWorker();
        Join(coordinator, worker, 2, [0]);
        Submit(coordinator, Experiments.Sleep(1, resources: "resources_per_worker: {cpu: 1, gpu: 0.5}"));
        worker.ExpectMsg<StartTrial>();
        var listed = coordinator.Ask<WorkersListed>(new GetWorkers(), RemainingOrDefault).Result.Workers.Single();
        Assert.That((listed.CpuSlots, listed.CpuBusy, listed.GpuBusy[0]), Is.EqualTo((2.0, 1.0, 0.5)));
        Assert.That(listed.Running.Single(), Does.EndWith("on cuda:0"));
    }

    [Test]
    public void At_scale_every_trial_starts_once_and_the_best_is_the_best_reported()
    {
        // 3,000 TPE trials (past the 1,000 it models) on 20 workers of 10 slots, with snapshots taken along the way.
        const int trials = 3000;
        var coordinator = NewCoordinator(CoordinatorOptions.Default(Runs) with { KeepEndedSweeps = true, SnapshotEvery = 500 });
        var workers = Enumerable.Range(0, 20).Select(_ => NewWorker()).ToList();
        foreach (var worker in workers) Join(coordinator, worker, cpu: 10);
        var id = Submit(coordinator, Experiments.Sleep(trials).Replace("sampler: random", "sampler: tpe"));
        var starts = new List<StartTrial>();
        var reported = new Dictionary<int, double>();
        while (reported.Count < trials)
        {
            var before = reported.Count;
            foreach (var worker in workers)
                while (worker.HasMessages && worker.ReceiveOne(TimeSpan.Zero) is StartTrial start)
                {
                    starts.Add(start);
                    var value = start.Params["value"]!.AsNumber()!.Value;
                    reported[start.Index] = value;
                    Finish(coordinator, worker, start, value);
                }
            if (reported.Count == before) AwaitCondition(() => workers.Any(w => w.HasMessages), TimeSpan.FromSeconds(10), "trials keep being started");
        }
        AwaitCondition(() => Status(coordinator, id).Status == SweepStatus.Completed);
        var sweep = Status(coordinator, id);
        Assert.That(starts.Select(s => (s.Index, s.Attempt)), Is.EquivalentTo(Enumerable.Range(0, trials).Select(i => (i, 1))), "each trial started once, none twice");
        Assert.That(sweep.Summary.Completed, Is.EqualTo(trials));
        var best = reported.MaxBy(r => r.Value);
        Assert.That((sweep.Best!.Index, sweep.Best.Metrics["value"]), Is.EqualTo((best.Key, best.Value)));
        Assert.That(reported.Values.Skip(2000).Average(), Is.GreaterThan(0.8), "TPE keeps suggesting near the best values past the trials it models");
    }
}
