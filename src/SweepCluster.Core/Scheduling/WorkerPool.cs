using System.Collections.Immutable;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Scheduling;

/// <summary>Where a trial attempt runs: a worker, its device, and the share of a GPU and the CPU slots it holds.</summary>
public sealed record Placement(string Worker, string Device, ImmutableArray<int> Gpus, double GpuShare, double Cpu);

/// <summary>
/// The workers' resources and what holds them. Placement honours <c>resources_per_worker</c>: <c>gpu: 1</c> takes
/// a GPU alone, <c>gpu: 0.5</c> lets two trials share one, <c>gpu: 2</c> takes two whole GPUs, <c>gpu: 0</c> runs
/// on CPU; <c>cpu</c> always counts against the worker's CPU slots. Plain state: the coordinator decides with it.
/// </summary>
public sealed class WorkerPool
{
    private const double Epsilon = 1e-9;
    private readonly Dictionary<string, WorkerEntry> _workers = [];
    private readonly Dictionary<string, Placement> _holdings = [];

    private sealed class WorkerEntry(string node, ImmutableArray<int> gpus, double cpuSlots, bool gpuTrialsOnCpu, DateTimeOffset? leavesAt)
    {
        public string Node { get; } = node;
        public bool GpuTrialsOnCpu { get; set; } = gpuTrialsOnCpu;
        public DateTimeOffset? LeavesAt { get; set; } = leavesAt;
        public ImmutableArray<int> Gpus { get; set; } = gpus;
        public double CpuSlots { get; set; } = cpuSlots;
        public double CpuBusy { get; set; }
        public Dictionary<int, double> GpuBusy { get; } = gpus.ToDictionary(g => g, _ => 0.0);
        public int TrialsDone { get; set; }
        public string? Problem { get; set; }
    }

    public IEnumerable<string> Workers => _workers.Keys;

    public bool Contains(string worker) => _workers.ContainsKey(worker);

    public string NodeOf(string worker) => _workers[worker].Node;

    /// <summary>Adds a worker, or updates what it offers (holdings stay as they are).</summary>
    /// <param name="gpuTrialsOnCpu">The worker runs trials that ask for a GPU on its CPU slots (a CPU-only cluster).</param>
    /// <param name="leavesAt">When the worker's node will leave (the end of its SLURM allocation): it takes only trials that can finish before.</param>
    /// <param name="problem">Why the worker takes no trials now (it cannot write its folder), or null.</param>
    public void Offer(string worker, string node, ImmutableArray<int> gpus, double cpuSlots, bool gpuTrialsOnCpu = false, DateTimeOffset? leavesAt = null,
        string? problem = null)
    {
        if (_workers.TryGetValue(worker, out var known))
        {
            known.Problem = problem;
            known.CpuSlots = cpuSlots;
            known.Gpus = gpus;
            known.GpuTrialsOnCpu = gpuTrialsOnCpu;
            known.LeavesAt = leavesAt;
            foreach (var gpu in gpus) known.GpuBusy.TryAdd(gpu, 0);
            return;
        }
        _workers[worker] = new WorkerEntry(node, gpus, cpuSlots, gpuTrialsOnCpu, leavesAt) { Problem = problem };
    }

    /// <summary>Removes a worker and its holdings; returns the keys of the attempts it held.</summary>
    public IReadOnlyList<string> Remove(string worker)
    {
        _workers.Remove(worker);
        var lost = _holdings.Where(h => h.Value.Worker == worker).Select(h => h.Key).ToList();
        foreach (var key in lost) _holdings.Remove(key);
        return lost;
    }

    /// <summary>The best place for a request now, or null with the reason it must wait.</summary>
    /// <param name="now">Workers whose node leaves before <paramref name="now"/> plus <paramref name="expectedSeconds"/> take nothing.</param>
    /// <param name="expectedSeconds">How long the trial is expected to run (the sweep's completed trials say); null when unknown.</param>
    public Placement? TryPlace(ResourceRequest request, out string reason, DateTimeOffset now = default, double? expectedSeconds = null)
    {
        if (_workers.Count == 0)
        {
            reason = "no worker has joined";
            return null;
        }
        var finishBy = now + TimeSpan.FromSeconds(expectedSeconds ?? 0);
        var able = _workers.Where(w => w.Value.Problem is null).ToList();
        if (able.Count == 0)
        {
            reason = $"no worker can take trials: {string.Join("; ", _workers.Values.Select(w => $"{w.Node} {w.Problem}"))}";
            return null;
        }
        var staying = able.Where(w => w.Value.LeavesAt is not { } leaves || leaves > finishBy).ToList();
        if (staying.Count == 0)
        {
            reason = expectedSeconds is { } seconds
                ? $"every worker leaves before a trial could finish (trials take about {seconds:0} s)"
                : "every worker is leaving";
            return null;
        }
        if (request.Cpu > staying.Max(w => w.Value.CpuSlots) + Epsilon)
        {
            reason = $"no worker has {request.Cpu} cpu slots";
            return null;
        }
        if (request.Gpu > 0)
        {
            // A GPU when one is free; else the CPU slots of a worker that takes GPU trials on CPU.
            var onGpu = PlaceOnGpu(request, staying, out reason);
            var takers = staying.Where(w => w.Value.GpuTrialsOnCpu).ToList();
            if (onGpu is not null || takers.Count == 0) return onGpu;
            var onCpu = PlaceOnCpu(request, takers);
            reason = onCpu is null ? "all cpu slots are busy" : "";
            return onCpu;
        }
        var placed = PlaceOnCpu(request, staying);
        reason = placed is null ? "all cpu slots are busy" : "";
        return placed;
    }

    /// <summary>CPU slots where most are free, so that work spreads over the workers.</summary>
    private static Placement? PlaceOnCpu(ResourceRequest request, IEnumerable<KeyValuePair<string, WorkerEntry>> workers)
    {
        var best = workers.Where(w => w.Value.CpuSlots - w.Value.CpuBusy >= request.Cpu - Epsilon)
            .OrderByDescending(w => w.Value.CpuSlots - w.Value.CpuBusy).ThenBy(w => w.Key, StringComparer.Ordinal).FirstOrDefault();
        return best.Key is null ? null : new Placement(best.Key, "cpu", [], 0, request.Cpu);
    }

    private static Placement? PlaceOnGpu(ResourceRequest request, IEnumerable<KeyValuePair<string, WorkerEntry>> workers, out string reason)
    {
        var withGpus = workers.Where(w => w.Value.Gpus.Length > 0).ToList();
        if (withGpus.Count == 0)
        {
            reason = "no worker offers gpu (a worker started with --gpu-trials-on-cpu runs such trials on its cpu slots)";
            return null;
        }
        var whole = (int)Math.Ceiling(request.Gpu - Epsilon);
        if (withGpus.All(w => w.Value.Gpus.Length < whole))
        {
            reason = $"no worker offers {whole} gpus";
            return null;
        }
        foreach (var (id, worker) in withGpus.Where(w => w.Value.CpuSlots - w.Value.CpuBusy >= request.Cpu - Epsilon).OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            if (request.Gpu < 1)
            {
                // A share goes to the fullest GPU it fits on, keeping whole GPUs free for whole-GPU trials.
                var gpu = worker.Gpus.Where(g => 1 - worker.GpuBusy[g] >= request.Gpu - Epsilon).OrderByDescending(g => worker.GpuBusy[g]).ThenBy(g => g)
                    .Cast<int?>().FirstOrDefault();
                if (gpu is { } g)
                {
                    reason = "";
                    return new Placement(id, $"cuda:{g}", [g], request.Gpu, request.Cpu);
                }
                continue;
            }
            var free = worker.Gpus.Where(g => worker.GpuBusy[g] < Epsilon).Take(whole).ToImmutableArray();
            if (free.Length == whole)
            {
                reason = "";
                return new Placement(id, $"cuda:{free[0]}", free, 1, request.Cpu);
            }
        }
        reason = withGpus.Any(w => w.Value.CpuSlots - w.Value.CpuBusy >= request.Cpu - Epsilon) ? "all gpus are busy" : "all cpu slots are busy";
        return null;
    }

    public void Hold(string key, Placement placement)
    {
        var worker = _workers[placement.Worker];
        worker.CpuBusy += placement.Cpu;
        foreach (var gpu in placement.Gpus) worker.GpuBusy[gpu] += placement.GpuShare;
        _holdings[key] = placement;
    }

    /// <summary>Frees what an attempt held; <paramref name="done"/> counts it on the worker's tally.</summary>
    public void Release(string key, bool done = true)
    {
        if (!_holdings.Remove(key, out var placement) || !_workers.TryGetValue(placement.Worker, out var worker)) return;
        worker.CpuBusy = Math.Max(0, worker.CpuBusy - placement.Cpu);
        foreach (var gpu in placement.Gpus) worker.GpuBusy[gpu] = Math.Max(0, worker.GpuBusy[gpu] - placement.GpuShare);
        if (done) worker.TrialsDone++;
    }

    /// <summary>Every worker and what runs on it: one pass over the holdings, whatever the number of workers.</summary>
    public ImmutableArray<WorkerSnapshot> Snapshot()
    {
        var running = _holdings.ToLookup(h => h.Value.Worker, h => $"{h.Key} on {h.Value.Device}");
        return
        [
            .. _workers.OrderBy(w => w.Value.Node, StringComparer.Ordinal).Select(w => new WorkerSnapshot(
                w.Value.Node, w.Value.Gpus, w.Value.CpuSlots, w.Value.CpuBusy, w.Value.GpuBusy.ToImmutableDictionary(),
                [.. running[w.Key].Order(StringComparer.Ordinal)], w.Value.TrialsDone, w.Value.Problem)),
        ];
    }
}

/// <summary>A worker as <c>node show</c> prints it: what it offers and what runs on it.</summary>
public sealed record WorkerSnapshot(
    string Node,
    ImmutableArray<int> Gpus,
    double CpuSlots,
    double CpuBusy,
    ImmutableDictionary<int, double> GpuBusy,
    ImmutableArray<string> Running,
    int TrialsDone,
    string? Problem = null);
