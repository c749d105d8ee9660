using System.Globalization;
using SweepCluster.Core.Analysis;
using SweepCluster.Core.Spec;

namespace SweepCluster.Reports;

/// <summary>
/// <c>trials.csv</c>: one row per trial of every sweep (RFC 4180, read by pandas as it is): the sweep, index and status,
/// every parameter flattened with dotted names (<c>out_channels.0</c>, <c>optimizer.lr</c>), every metric, the epochs
/// run (<c>epochs_run</c>), duration, node, device and the failure or prune reason. A parameter or metric named as one of
/// these columns is written as <c>params.NAME</c> or <c>metrics.NAME</c>.
/// </summary>
public static class TrialTable
{
    private static readonly string[] Leading = ["sweep", "index", "status"];
    private static readonly string[] Trailing = ["epochs_run", "duration_seconds", "node", "device", "reason"];

    public static void Write(TextWriter output, IReadOnlyList<ReportSweep> sweeps)
    {
        var parameters = sweeps.SelectMany(s => s.Trials).SelectMany(t => t.Params.Leaves().Select(p => p.Name)).Distinct().ToList();
        var metrics = sweeps.SelectMany(s => s.Trials).SelectMany(t => t.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        // A parameter or metric named as another column gets a prefix, so that every column name is unique.
        var reserved = Leading.Concat(Trailing).ToHashSet();
        var parameterColumns = parameters.Select(p => reserved.Contains(p) ? $"params.{p}" : p).ToList();
        var metricColumns = metrics.Select(m => reserved.Contains(m) || parameterColumns.Contains(m) ? $"metrics.{m}" : m);
        WriteRow(output, [.. Leading, .. parameterColumns, .. metricColumns, .. Trailing]);
        foreach (var sweep in sweeps)
            foreach (var trial in sweep.Trials.OrderBy(t => t.Index))
            {
                var values = trial.Params.Leaves().ToDictionary(p => p.Name, p => p.Value);
                WriteRow(output,
                [
                    sweep.Header.Id, Number(trial.Index), trial.Status.ToString().ToLowerInvariant(),
                    .. parameters.Select(p => values.TryGetValue(p, out var v) ? Cell(v) : ""),
                    .. metrics.Select(m => trial.Metrics.TryGetValue(m, out var v) ? Number(v) : ""),
                    trial.Epoch is { } epoch ? Number(epoch) : "", trial.DurationSeconds is { } seconds ? Number(seconds) : "",
                    trial.Node ?? "", trial.Device ?? "", trial.Reason ?? "",
                ]);
            }
    }

    private static string Cell(ParamValue value) => value switch
    {
        ParamValue.Null => "",
        ParamValue.Real r => Number(r.Value),
        _ => value.ToString(),
    };

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteRow(TextWriter output, IEnumerable<string> cells)
    {
        output.Write(string.Join(",", cells.Select(Quoted)));
        output.Write("\r\n");
    }

    private static string Quoted(string cell) =>
        cell.IndexOfAny([',', '"', '\r', '\n']) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
