using System.Globalization;
using SweepCluster.Core.Results;

namespace SweepCluster.Node.Text;

/// <summary>
/// Live progress of a sweep: on a terminal a block redrawn in place (counts, each running trial's epoch, the best
/// so far); elsewhere one line each time a trial starts or ends.
/// </summary>
internal sealed class SweepProgressView(TextWriter writer)
{
    private readonly bool _terminal = ReferenceEquals(writer, Console.Out) ? !Console.IsOutputRedirected
        : ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;
    private int _drawnLines;
    private string _lastLine = "";

    public void Show(SweepSnapshot sweep)
    {
        var lines = new List<string> { Headline(sweep) };
        lines.AddRange(sweep.Trials.Where(t => t.Status == TrialStatus.Running).Select(t =>
            $"  trial {t.Index,4}  epoch {(t.Epochs.Length > 0 ? t.Epochs[^1].Epoch : 0),3}  {sweep.Metric.Name} {(t.Epochs.Length > 0 ? Format(t.Epochs[^1].Value) : "-"),8}  {t.Device} on {t.Node}"));
        if (_terminal)
        {
            if (_drawnLines > 0) writer.Write($"\u001b[{_drawnLines}A\u001b[J");
            foreach (var line in lines) writer.WriteLine(line);
            _drawnLines = lines.Count;
        }
        else if (lines[0] != _lastLine)
        {
            writer.WriteLine(lines[0]);
            _lastLine = lines[0];
        }
    }

    public void Close() => _drawnLines = 0;

    private static string Headline(SweepSnapshot s)
    {
        var best = s.Best;
        var bestText = best is null ? "no result yet" : $"best {s.Metric.Name} {Format(best.Metrics[s.Metric.Name])} (trial {best.Index})";
        var waiting = s.PendingReason is null ? "" : $" ({s.PendingReason})";
        return $"{s.Name} [{s.Id}]: {s.Done}/{s.TotalTrials} done, {s.Running} running, {s.Pending} pending{waiting} | {bestText}";
    }

    public static string Format(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
