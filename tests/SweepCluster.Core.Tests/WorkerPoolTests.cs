using SweepCluster.Core.Scheduling;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Tests;

public class WorkerPoolTests
{
    private static Placement Place(WorkerPool pool, double cpu, double gpu, string key)
    {
        var placement = pool.TryPlace(new ResourceRequest(cpu, gpu), out var reason);
        Assert.That(placement, Is.Not.Null, reason);
        pool.Hold(key, placement!);
        return placement!;
    }

    private static string Reason(WorkerPool pool, double cpu, double gpu)
    {
        Assert.That(pool.TryPlace(new ResourceRequest(cpu, gpu), out var reason), Is.Null);
        return reason;
    }

    [Test]
    public void A_whole_gpu_trial_runs_alone_on_its_gpu()
    {
        var pool = new WorkerPool();
        pool.Offer("w1", "n1", [0, 1], 8);
        Assert.That(Place(pool, 1, 1, "a").Device, Is.EqualTo("cuda:0"));
        Assert.That(Place(pool, 1, 1, "b").Device, Is.EqualTo("cuda:1"));
        Assert.That(Reason(pool, 1, 1), Is.EqualTo("all gpus are busy"));
        pool.Release("a");
        Assert.That(Place(pool, 1, 1, "c").Device, Is.EqualTo("cuda:0"), "a freed GPU is taken at once");
    }

    [Test]
    public void Half_gpu_trials_share_a_gpu_two_by_two()
    {
        var pool = new WorkerPool();
        pool.Offer("w1", "n1", [0, 1], 8);
        var devices = Enumerable.Range(0, 4).Select(i => Place(pool, 1, 0.5, $"t{i}").Device).ToList();
        Assert.That(devices, Is.EqualTo(new[] { "cuda:0", "cuda:0", "cuda:1", "cuda:1" }));
        Assert.That(Reason(pool, 1, 0.5), Is.EqualTo("all gpus are busy"));
        Assert.That(Reason(pool, 1, 1), Is.EqualTo("all gpus are busy"));
    }

    [Test]
    public void Shares_fill_a_used_gpu_before_breaking_into_a_free_one()
    {
        var pool = new WorkerPool();
        pool.Offer("w1", "n1", [0, 1], 8);
        Place(pool, 1, 0.25, "a");
        Assert.That(Place(pool, 1, 0.5, "b").Device, Is.EqualTo("cuda:0"));
        Assert.That(Place(pool, 1, 1, "c").Device, Is.EqualTo("cuda:1"), "a whole GPU is still free for a whole-GPU trial");
    }

    [Test]
    public void Cpu_counts_against_slots_even_for_gpu_trials()
    {
        var pool = new WorkerPool();
        pool.Offer("w1", "n1", [0, 1], 2);
        Place(pool, 2, 0.5, "a");
        Assert.That(Reason(pool, 1, 0.5), Is.EqualTo("all cpu slots are busy"));
        Assert.That(Reason(pool, 0.5, 0), Is.EqualTo("all cpu slots are busy"));
    }

    [Test]
    public void Cpu_trials_spread_over_the_workers()
    {
        var pool = new WorkerPool();
        pool.Offer("w1", "n1", [], 2);
        pool.Offer("w2", "n2", [], 2);
        var workers = Enumerable.Range(0, 4).Select(i => Place(pool, 1, 0, $"t{i}").Worker).ToList();
        Assert.That(workers.Count(w => w == "w1"), Is.EqualTo(2));
        Assert.That(workers.Count(w => w == "w2"), Is.EqualTo(2));
        Assert.That(Reason(pool, 1, 0), Is.EqualTo("all cpu slots are busy"));
    }

    [Test]
    public void Whole_multi_gpu_trials_take_free_gpus_only()
    {
        var pool = new WorkerPool();
        pool.Offer("w1", "n1", [0, 1, 2], 8);
        Place(pool, 1, 0.5, "half");
        var pair = Place(pool, 1, 2, "pair");
        Assert.That(pair.Gpus, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(Reason(pool, 1, 2), Is.EqualTo("all gpus are busy"));
        Assert.That(Reason(pool, 1, 4), Is.EqualTo("no worker offers 4 gpus"));
    }

    private const string NoGpu = "no worker offers gpu (a worker started with --gpu-trials-on-cpu runs such trials on its cpu slots)";

    [Test]
    public void Gpu_trials_go_to_gpus_first_then_to_the_cpu_slots_of_workers_that_take_them_on_cpu()
    {
        var pool = new WorkerPool();
        pool.Offer("plain", "n1", [], 4);
        pool.Offer("taker", "n2", [], 1, gpuTrialsOnCpu: true);
        var onCpu = Place(pool, 1, 1, "a");
        Assert.That((onCpu.Worker, onCpu.Device, onCpu.Gpus.Length), Is.EqualTo(("taker", "cpu", 0)), "only a worker that takes them runs gpu trials on cpu");
        Assert.That(Reason(pool, 1, 1), Is.EqualTo("all cpu slots are busy"), "its slot is taken; the other worker does not take gpu trials");
        pool.Offer("gpu", "n3", [0], 2);
        Assert.That(Place(pool, 1, 1, "b").Device, Is.EqualTo("cuda:0"), "a free gpu comes first");
        pool.Release("a");
        Assert.That(Place(pool, 1, 1, "c").Worker, Is.EqualTo("taker"), "the gpu is busy: the cpu slot takes the trial");
    }

    [Test]
    public void Waiting_reasons_say_what_is_missing()
    {
        var pool = new WorkerPool();
        Assert.That(Reason(pool, 1, 0), Is.EqualTo("no worker has joined"));
        pool.Offer("cpu-only", "n1", [], 4);
        Assert.That(Reason(pool, 1, 1), Is.EqualTo(NoGpu));
        Assert.That(Reason(pool, 6, 0), Is.EqualTo("no worker has 6 cpu slots"));
    }

    [Test]
    public void A_worker_that_joins_late_takes_waiting_work_and_one_that_leaves_releases_its_holdings()
    {
        var pool = new WorkerPool();
        pool.Offer("w1", "n1", [], 1);
        Place(pool, 1, 0, "a");
        Assert.That(Reason(pool, 1, 1), Is.EqualTo(NoGpu));
        pool.Offer("w2", "n2", [0], 1);
        Assert.That(Place(pool, 1, 1, "b").Worker, Is.EqualTo("w2"));
        Assert.That(pool.Remove("w1"), Is.EqualTo(new[] { "a" }));
        Assert.That(pool.Snapshot().Select(w => w.Node), Is.EqualTo(new[] { "n2" }));
    }

    [Test]
    public void Shares_that_sum_to_one_with_rounding_error_still_fit()
    {
        var pool = new WorkerPool();
        pool.Offer("w1", "n1", [0], 20);
        for (var i = 0; i < 10; i++) Assert.That(Place(pool, 1, 0.1, $"t{i}").Device, Is.EqualTo("cuda:0"));
        Assert.That(Reason(pool, 1, 0.1), Is.EqualTo("all gpus are busy"));
    }

    [Test]
    public void A_worker_that_leaves_soon_takes_only_trials_that_can_finish_before()
    {
        var now = DateTimeOffset.UnixEpoch;
        var pool = new WorkerPool();
        pool.Offer("leaving", "n1", [], 4, leavesAt: now.AddSeconds(100));
        pool.Offer("staying", "n2", [], 1);
        Assert.That(pool.TryPlace(new ResourceRequest(1, 0), out _, now, expectedSeconds: 60)!.Worker, Is.EqualTo("leaving"), "60 s fit in its 100 s");
        var staying = pool.TryPlace(new ResourceRequest(1, 0), out _, now, expectedSeconds: 300);
        Assert.That(staying!.Worker, Is.EqualTo("staying"), "300 s do not fit: the trial goes to the worker that stays");
        pool.Hold("a", staying);
        Assert.That(pool.TryPlace(new ResourceRequest(1, 0), out var reason, now, expectedSeconds: 300), Is.Null);
        Assert.That(reason, Is.EqualTo("all cpu slots are busy"));
    }

    [Test]
    public void When_every_worker_leaves_before_a_trial_could_finish_the_reason_says_so()
    {
        var now = DateTimeOffset.UnixEpoch;
        var pool = new WorkerPool();
        pool.Offer("w1", "n1", [], 4, leavesAt: now.AddSeconds(100));
        Assert.That(pool.TryPlace(new ResourceRequest(1, 0), out var reason, now, expectedSeconds: 120), Is.Null);
        Assert.That(reason, Is.EqualTo("every worker leaves before a trial could finish (trials take about 120 s)"));
        Assert.That(pool.TryPlace(new ResourceRequest(1, 0), out _, now, expectedSeconds: null), Is.Not.Null, "before any trial has completed nothing is known: it may start");
        pool.Offer("w1", "n1", [], 4, leavesAt: DateTimeOffset.MinValue);
        Assert.That(pool.TryPlace(new ResourceRequest(1, 0), out reason, now), Is.Null);
        Assert.That(reason, Is.EqualTo("every worker is leaving"));
    }
}
