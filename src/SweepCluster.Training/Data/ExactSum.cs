namespace SweepCluster.Training.Data;

/// <summary>
/// The correctly rounded sum of many doubles (Shewchuk's algorithm, as Python's math.fsum): independent of
/// the order of the values, so figures match those of other tools to the last digit.
/// </summary>
public sealed class ExactSum
{
    private readonly List<double> _partials = [];

    public void Add(double x)
    {
        var i = 0;
        for (var j = 0; j < _partials.Count; j++)
        {
            var y = _partials[j];
            if (Math.Abs(x) < Math.Abs(y)) (x, y) = (y, x);
            var high = x + y;
            var low = y - (high - x);
            if (low != 0) _partials[i++] = low;
            x = high;
        }
        _partials.RemoveRange(i, _partials.Count - i);
        _partials.Add(x);
    }

    public double Value
    {
        get
        {
            // Sum the partials from the top, with the half-way correction of Python's fsum.
            var n = _partials.Count;
            if (n == 0) return 0;
            var high = _partials[--n];
            var low = 0.0;
            while (n > 0)
            {
                var x = high;
                var y = _partials[--n];
                high = x + y;
                low = y - (high - x);
                if (low != 0) break;
            }
            if (n > 0 && ((low < 0 && _partials[n - 1] < 0) || (low > 0 && _partials[n - 1] > 0)))
            {
                var y = low * 2;
                var x = high + y;
                if (y == x - high) high = x;
            }
            return high;
        }
    }
}
