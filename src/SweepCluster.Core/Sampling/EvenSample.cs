namespace SweepCluster.Core.Sampling;

/// <summary>
/// Items in the order they arrived: every one up to twice <paramref name="capacity"/>, past that an even sample of them. When
/// the sample would pass twice the capacity it keeps every other item and from then on takes every other arrival (every
/// fourth after the next halving, and so on), so that it holds between <paramref name="capacity"/> and twice as many, spread
/// evenly over all that arrived, in constant memory however many arrive.
/// </summary>
public sealed class EvenSample<T>(int capacity)
{
    private readonly List<T> _items = [];
    private long _arrived;
    private long _stride = 1;

    public IReadOnlyList<T> Items => _items;

    /// <summary>Every item that arrived, sampled or not.</summary>
    public long Arrived => _arrived;

    public void Add(T item)
    {
        if (_arrived++ % _stride != 0) return;
        _items.Add(item);
        if (_items.Count <= 2 * capacity) return;
        var kept = 0;
        for (var i = 0; i < _items.Count; i += 2) _items[kept++] = _items[i];
        _items.RemoveRange(kept, _items.Count - kept);
        _stride *= 2;
    }
}
