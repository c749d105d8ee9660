using System.Globalization;
using System.Text.Json;

namespace SweepCluster.Sdk;

/// <summary>One attempt of one trial, as a trainer sees it: its parameters and seed, where to write, and how to report.</summary>
public sealed class TrainerContext
{
    private readonly JsonElement _params;
    private readonly Action<int, IReadOnlyDictionary<string, double>> _report;
    private readonly Action _alive;
    private readonly Action<int, long, long>? _progress;

    /// <summary>Made by SweepCluster for each attempt; a trainer's own tests make one to run it.</summary>
    /// <param name="report">Called with each epoch's report.</param>
    /// <param name="alive">Called when the trainer says it is alive.</param>
    /// <param name="progress">Called when the trainer says how far an epoch has got: the epoch, its samples trained, the samples it has.</param>
    public TrainerContext(string paramsJson, long seed, string device, int? epochs, string trialDirectory, string? checkpointDirectory, string? dataDirectory,
        int threads, CancellationToken cancellation, Action<int, IReadOnlyDictionary<string, double>> report, Action alive,
        Action<int, long, long>? progress = null)
    {
        _params = JsonDocument.Parse(paramsJson).RootElement.Clone();
        (ParamsJson, Seed, Device, Epochs, TrialDirectory, CheckpointDirectory, DataDirectory, Threads, Cancellation) =
            (paramsJson, seed, device, epochs, trialDirectory, checkpointDirectory, dataDirectory, threads, cancellation);
        (_report, _alive, _progress) = (report, alive, progress);
    }

    /// <summary>
    /// The trial's parameters as one JSON object, fixed and sampled (<c>sweepctl plan --format json</c> shows them); a real number always
    /// carries a decimal point or an exponent (<c>1.0</c>), so that it reads back as one.
    /// </summary>
    public string ParamsJson { get; }

    /// <summary>The trial's training seed.</summary>
    public long Seed { get; }

    /// <summary><c>cpu</c> or <c>cuda:N</c>.</summary>
    public string Device { get; }

    /// <summary>The sweep's <c>--epochs</c>, when it was given one: it replaces an <c>epochs</c> parameter.</summary>
    public int? Epochs { get; }

    /// <summary>The trial's folder: artifacts written here stay with the trial and are fetched with it.</summary>
    public string TrialDirectory { get; }

    /// <summary>
    /// Kept across the trial's attempts: write a checkpoint each epoch, and resume from one found here. A trainer of your own always
    /// gets one; the built-in networks get none on a node that keeps no checkpoints (<c>sweepctl run</c>).
    /// </summary>
    public string? CheckpointDirectory { get; }

    /// <summary>The node's data folder (or the experiment's <c>data</c>), when one is named.</summary>
    public string? DataDirectory { get; }

    /// <summary>The cores this trial may use.</summary>
    public int Threads { get; }

    /// <summary>Fires when the trial is to stop: pruned, cancelled, timed out, stalled, or its worker leaving.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>The parameters, for the trainer to read as it likes (nested maps and lists included).</summary>
    public JsonElement Params => _params;

    /// <summary>
    /// Reports an epoch: the experiment's metric, and anything else measured (<c>loss</c> is drawn on the curve). The pruner may
    /// stop the trial after it: <see cref="Cancellation"/> then fires. The last report's numbers are the trial's result.
    /// </summary>
    public void Report(int epoch, IReadOnlyDictionary<string, double> metrics) => _report(epoch, metrics);

    /// <summary>The trial's result when it is not the last report's numbers (the networks measure the training set once more at the end).</summary>
    public void Result(IReadOnlyDictionary<string, double> metrics) => FinalMetrics = metrics;

    /// <summary>
    /// Says the result is suspect though training went well (a classifier that predicted one class for every sample): the trial
    /// completes, and its warning is shown with it wherever its result is, so that nobody trusts it unawares.
    /// </summary>
    public void Warn(string message) => _warnings.Add(message);

    /// <summary>What <see cref="Warn"/> was told, in order.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    private readonly List<string> _warnings = [];

    /// <summary>What <see cref="Result"/> was given; null when the last report stands.</summary>
    public IReadOnlyDictionary<string, double>? FinalMetrics { get; private set; }

    /// <summary>Says the trial is alive in a long epoch (a batch trained), so that <c>stall_timeout</c> does not stop it.</summary>
    public void Alive() => _alive();

    /// <summary>
    /// Says how far an epoch has got (after a batch, say): <paramref name="samples"/> of its <paramref name="epochSamples"/> trained.
    /// Shown while the trial runs (with the pace it makes) in <c>sweep status</c>, <c>run</c> and the dashboard; also a sign of life.
    /// </summary>
    public void Progress(int epoch, long samples, long epochSamples)
    {
        _alive();
        _progress?.Invoke(epoch, samples, epochSamples);
    }

    /// <summary>A number parameter (by dotted path: <c>optimizer.lr</c>); an <see cref="ArgumentException"/> naming it when it is missing or not a number.</summary>
    public double Number(string path) => Find(path) is { ValueKind: JsonValueKind.Number } value
        ? value.GetDouble()
        : throw new ArgumentException($"{path}: the trial has no number for it (parameters: {ParamsJson})");

    /// <summary>A whole-number parameter; an <see cref="ArgumentException"/> naming it when it is missing or not whole.</summary>
    public long Integer(string path) => Find(path) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var n)
        ? n
        : throw new ArgumentException($"{path}: the trial has no whole number for it (parameters: {ParamsJson})");

    /// <summary>A text parameter, or a scalar as text; an <see cref="ArgumentException"/> naming it when it is missing.</summary>
    public string Text(string path) => Find(path) switch
    {
        { ValueKind: JsonValueKind.String } value => value.GetString()!,
        { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } value => value.GetRawText(),
        _ => throw new ArgumentException($"{path}: the trial has no value for it (parameters: {ParamsJson})"),
    };

    private JsonElement? Find(string path)
    {
        var current = _params;
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(part, out var next)) current = next;
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < current.GetArrayLength())
                current = current[i];
            else return null;
        }
        return current;
    }
}
