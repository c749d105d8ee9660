using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Sampling;

/// <summary>
/// The finished trials a sweep's sampler is shown, in the order they finished: every one up to <see cref="KeptWhole"/>; past
/// that the <see cref="BestKept"/> best, the <see cref="RecentKept"/> most recent and an even sample of all of them
/// (<see cref="EvenSample{T}"/>). What the samplers read of a long sweep is bounded already (TPE models
/// <see cref="TpeSampler.MaxModelled"/> results, GP fits the best and the most recent); this bounds what is held for them, so
/// that a 100,000-trial sweep does not keep every trial's parameters in the coordinator's memory.
/// </summary>
public sealed class FinishedHistory(MetricDirection direction)
{
    public const int KeptWhole = 2 * SampledCapacity;
    public const int BestKept = 25;
    public const int RecentKept = GpSampler.MaxFitted;
    private const int SampledCapacity = TpeSampler.MaxModelled;

    private readonly EvenSample<Entry> _sample = new(SampledCapacity);
    private readonly Queue<Entry> _recent = new();
    private readonly List<Entry> _best = [];

    private readonly record struct Entry(long Order, FinishedTrial Trial);

    public long Count => _sample.Arrived;

    public void Add(FinishedTrial trial)
    {
        var entry = new Entry(_sample.Arrived, trial);
        _sample.Add(entry);
        _recent.Enqueue(entry);
        if (_recent.Count > RecentKept) _recent.Dequeue();
        if (trial.Value is { } value && double.IsFinite(value)) KeepIfBest(entry, value);
    }

    /// <summary>
    /// What the sampler is shown: all of them in finish order while nothing was left out of the sample, else the kept ones in
    /// that order. Gathered only when read (random search never reads it).
    /// </summary>
    public IReadOnlyList<FinishedTrial> Shown() => new LazyList(() => _sample.Arrived == _sample.Items.Count
        ? [.. _sample.Items.Select(e => e.Trial)]
        : [.. _sample.Items.Concat(_recent).Concat(_best).DistinctBy(e => e.Order).OrderBy(e => e.Order).Select(e => e.Trial)]);

    private sealed class LazyList(Func<List<FinishedTrial>> gather) : IReadOnlyList<FinishedTrial>
    {
        private List<FinishedTrial>? _items;
        private List<FinishedTrial> Items => _items ??= gather();
        public FinishedTrial this[int index] => Items[index];
        public int Count => Items.Count;
        public IEnumerator<FinishedTrial> GetEnumerator() => Items.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private void KeepIfBest(Entry entry, double value)
    {
        var at = _best.Count;
        while (at > 0 && direction.IsBetter(value, than: _best[at - 1].Trial.Value!.Value)) at--;
        if (at == BestKept) return;
        _best.Insert(at, entry);
        if (_best.Count > BestKept) _best.RemoveAt(BestKept);
    }
}
