namespace SweepCluster.Cli.Output;

/// <summary>
/// A one-line progress bar on stderr (redrawn in place on a terminal, a line per quarter otherwise), safe to
/// call from several threads.
/// </summary>
/// <param name="doing">What the bar measures, the line's first word: <c>generating</c>, <c>training</c>.</param>
internal sealed class ProgressLine(TextWriter error, string doing = "generating")
{
    private readonly Lock _gate = new();
    private readonly bool _terminal = !Console.IsErrorRedirected && ReferenceEquals(error, Console.Error);
    private int _lastQuarter = -1;

    public void Show(string part, int done, int total)
    {
        lock (_gate)
        {
            var fraction = total == 0 ? 1 : (double)done / total;
            if (_terminal)
            {
                var bar = new string('#', (int)(fraction * 30)).PadRight(30, '.');
                error.Write($"\r{doing} {part,-5} [{bar}] {done}/{total}");
                if (done == total) error.WriteLine();
                return;
            }
            var quarter = (int)(fraction * 4);
            if (quarter == _lastQuarter && done != total) return;
            _lastQuarter = done == total ? -1 : quarter;
            error.WriteLine($"{doing} {part}: {done}/{total}");
        }
    }
}
