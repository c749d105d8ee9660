using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SweepCluster.Core.Analysis;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using YamlDotNet.Serialization;

namespace SweepCluster.Reports;

/// <summary>
/// A sweep written in MLflow's file-store layout (what <c>mlflow ui --backend-store-uri DIR</c> reads): an experiment per
/// sweep, a run per trial that started, with its parameters, per-epoch metrics, tags and artifacts. Ids are derived from
/// the sweep's and trials' ids, so exporting a sweep again replaces its experiment rather than adding a second one.
/// </summary>
public static class MlflowStore
{
    private const string DefaultExperiment = "0";
    private static readonly ISerializer Yaml = new SerializerBuilder().WithQuotingNecessaryStrings().Build();

    /// <summary>MLflow's <c>RunStatus</c> numbers as the file store keeps them in meta.yaml.</summary>
    private enum RunStatus { Running = 1, Scheduled = 2, Finished = 3, Failed = 4, Killed = 5 }

    /// <summary>MLflow's <c>SourceType.LOCAL</c>.</summary>
    private const int LocalSource = 4;

    /// <param name="root">The store's folder (MLflow's <c>mlruns</c>): made if missing, other experiments in it kept.</param>
    /// <returns>The experiment's id and how many runs were written, and trials whose artifacts are on another machine.</returns>
    public static MlflowExport Write(ReportSweep sweep, string root)
    {
        root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(root, ".trash"));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (!File.Exists(Path.Combine(root, DefaultExperiment, "meta.yaml"))) WriteExperiment(root, DefaultExperiment, "Default", now, now);

        var experimentId = ExperimentId(sweep.Header.Id);
        var experiment = Path.Combine(root, experimentId);
        if (Directory.Exists(experiment)) Directory.Delete(experiment, recursive: true);
        var created = sweep.Header.SubmittedAt.ToUnixTimeMilliseconds();
        WriteExperiment(root, experimentId, $"{sweep.Header.Name} ({sweep.Header.Id})", created, sweep.Header.EndedAt?.ToUnixTimeMilliseconds() ?? now);
        WriteValues(Path.Combine(experiment, "tags"), new Dictionary<string, string>
        {
            ["sweepcluster.sweep"] = sweep.Header.Id,
            ["sweepcluster.metric"] = $"{sweep.Metric.Name} ({sweep.Metric.Direction.ToString().ToLowerInvariant()})",
            ["mlflow.note.content"] = $"SweepCluster sweep {sweep.Header.Id}, {sweep.Header.State.ToString().ToLowerInvariant()}: {sweep.Trials.Count} trials, best by {sweep.Metric.Name}.",
        });

        var best = sweep.Best?.Index;
        var elsewhere = new List<int>();
        var runs = 0;
        foreach (var trial in sweep.Trials.Where(t => t.StartedAt is not null))
        {
            if (!WriteRun(experiment, experimentId, sweep, trial, trial.Index == best)) elsewhere.Add(trial.Index);
            runs++;
        }
        return new MlflowExport(root, experimentId, runs, elsewhere);
    }

    private static void WriteExperiment(string root, string id, string name, long created, long updated)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, id)).FullName;
        WriteYaml(Path.Combine(folder, "meta.yaml"), new Dictionary<string, object>
        {
            ["artifact_location"] = new Uri(folder).AbsoluteUri,
            ["creation_time"] = created,
            ["experiment_id"] = id,
            ["last_update_time"] = updated,
            ["lifecycle_stage"] = "active",
            ["name"] = name,
        });
    }

    /// <returns>False when the trial's artifact folder is not on this machine (a worker's disk).</returns>
    private static bool WriteRun(string experiment, string experimentId, ReportSweep sweep, TrialDocument trial, bool isBest)
    {
        var runId = RunId(sweep.Header.Id, trial.Index);
        var folder = Directory.CreateDirectory(Path.Combine(experiment, runId)).FullName;
        var start = trial.StartedAt!.Value;
        var end = start + TimeSpan.FromSeconds(trial.DurationSeconds ?? 0);
        var runName = $"trial-{trial.Index:D4}";
        WriteYaml(Path.Combine(folder, "meta.yaml"), new Dictionary<string, object?>
        {
            ["artifact_uri"] = new Uri(Path.Combine(folder, "artifacts")).AbsoluteUri,
            ["end_time"] = trial.Status is TrialStatus.Running or TrialStatus.Pending ? null : end.ToUnixTimeMilliseconds(),
            ["entry_point_name"] = "",
            ["experiment_id"] = experimentId,
            ["lifecycle_stage"] = "active",
            ["run_id"] = runId,
            ["run_name"] = runName,
            ["run_uuid"] = runId,
            ["source_name"] = "",
            ["source_type"] = LocalSource,
            ["source_version"] = "",
            ["start_time"] = start.ToUnixTimeMilliseconds(),
            ["status"] = (int)StatusOf(trial.Status),
            ["tags"] = Array.Empty<string>(),
            ["user_id"] = Environment.UserName,
        });
        WriteValues(Path.Combine(folder, "params"), Flatten(trial.Params));
        WriteMetrics(Path.Combine(folder, "metrics"), sweep.Metric.Name, trial, start);
        var tags = new Dictionary<string, string>
        {
            ["mlflow.runName"] = runName,
            ["mlflow.user"] = Environment.UserName,
            ["mlflow.source.name"] = "sweepctl",
            ["mlflow.source.type"] = "LOCAL",
            ["sweepcluster.sweep"] = sweep.Header.Id,
            ["sweepcluster.trial"] = trial.Index.ToString(CultureInfo.InvariantCulture),
            ["sweepcluster.status"] = trial.Status.ToString().ToLowerInvariant(),
            ["sweepcluster.attempt"] = trial.Attempt.ToString(CultureInfo.InvariantCulture),
            ["sweepcluster.seed"] = trial.Seed.ToString(CultureInfo.InvariantCulture),
        };
        if (trial.Reason is { } reason) tags["sweepcluster.reason"] = reason;
        if (trial.Node is { } node) tags["sweepcluster.node"] = node;
        if (trial.Device is { } device) tags["sweepcluster.device"] = device;
        if (isBest) tags["sweepcluster.best"] = "true";
        WriteValues(Path.Combine(folder, "tags"), tags);

        var artifacts = Directory.CreateDirectory(Path.Combine(folder, "artifacts")).FullName;
        if (trial.Artifacts is not { } source || !Directory.Exists(source)) return trial.Artifacts is null;
        CopyFolder(source, artifacts);
        return true;
    }

    private static RunStatus StatusOf(TrialStatus status) => status switch
    {
        TrialStatus.Completed or TrialStatus.Pruned => RunStatus.Finished,
        TrialStatus.Failed => RunStatus.Failed,
        TrialStatus.Cancelled => RunStatus.Killed,
        TrialStatus.Pending => RunStatus.Scheduled,
        _ => RunStatus.Running,
    };

    /// <summary>Per epoch (step = epoch, at the time the epoch ended): the sweep's metric and the training loss; then each final metric at the last epoch.</summary>
    private static void WriteMetrics(string folder, string metric, TrialDocument trial, DateTimeOffset start)
    {
        var lines = new Dictionary<string, List<string>>();
        void Add(string key, long time, double value, int step) =>
            (lines.TryGetValue(key, out var list) ? list : lines[key] = []).Add(string.Create(CultureInfo.InvariantCulture, $"{time} {Number(value)} {step}"));
        var elapsed = 0.0;
        foreach (var point in trial.Curve ?? [])
        {
            elapsed += point.Seconds;
            var time = (start + TimeSpan.FromSeconds(elapsed)).ToUnixTimeMilliseconds();
            Add(metric, time, point.Value, point.Epoch);
            if (point.Loss is { } loss) Add("train_loss", time, loss, point.Epoch);
        }
        var lastStep = trial.Curve is [.., var last] ? last.Epoch : 0;
        var end = (start + TimeSpan.FromSeconds(trial.DurationSeconds ?? elapsed)).ToUnixTimeMilliseconds();
        foreach (var (key, value) in trial.Metrics)
        {
            if (key == metric && trial.Curve is [.., var final] && final.Value.Equals(value)) continue;
            Add(key, end, value, lastStep);
        }
        Directory.CreateDirectory(folder);
        foreach (var (key, values) in lines) File.WriteAllText(Path.Combine(folder, SafeKey(key)), string.Join('\n', values) + "\n");
    }

    /// <summary>Python's float() reads these: nan, inf and -inf included.</summary>
    private static string Number(double value) => double.IsNaN(value) ? "nan"
        : double.IsPositiveInfinity(value) ? "inf" : double.IsNegativeInfinity(value) ? "-inf" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Scalars by name, a branch's values as <c>optimizer.lr</c>, a list as its JSON text.</summary>
    private static Dictionary<string, string> Flatten(ParamValue.Map values, string prefix = "")
    {
        var flat = new Dictionary<string, string>();
        foreach (var (key, value) in values.Entries)
        {
            if (value is ParamValue.Map branch)
                foreach (var (inner, text) in Flatten(branch, $"{prefix}{key}.")) flat[inner] = text;
            else flat[$"{prefix}{key}"] = Text(value);
        }
        return flat;
    }

    private static string Text(ParamValue value) => value switch
    {
        ParamValue.List list => $"[{string.Join(", ", list.Items.Select(Text))}]",
        ParamValue.Real r => Number(r.Value),
        ParamValue.Null => "null",
        ParamValue.Bool b => b.Value ? "true" : "false",
        _ => Convert.ToString(value.AsPlain(), CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>One file per key, holding the value (MLflow's params and tags folders).</summary>
    private static void WriteValues(string folder, IReadOnlyDictionary<string, string> values)
    {
        Directory.CreateDirectory(folder);
        foreach (var (key, value) in values) File.WriteAllText(Path.Combine(folder, SafeKey(key)), value);
    }

    /// <summary>
    /// A key as a file name MLflow accepts (letters, digits, <c>_ - . space</c>): other characters become <c>_</c>, and a
    /// key of dots only is prefixed, so no key names a folder outside its own.
    /// </summary>
    internal static string SafeKey(string key)
    {
        var safe = new string([.. key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ' ' ? c : '_')]);
        return safe.Length == 0 || safe.All(c => c == '.') ? $"_{safe}" : safe;
    }

    private static void WriteYaml(string path, object document) => File.WriteAllText(path, Yaml.Serialize(document));

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        foreach (var folder in Directory.GetDirectories(from)) CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
    }

    /// <summary>A whole number, as MLflow's own experiment ids are, stable for the sweep.</summary>
    private static string ExperimentId(string sweepId) =>
        (BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(sweepId)).AsSpan(0, 8)) % 1_000_000_000_000_000UL + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>32 hex digits, as MLflow's run ids are, stable for the trial.</summary>
    private static string RunId(string sweepId, int index) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{sweepId}/{index}")).AsSpan(0, 16));
}

/// <param name="ArtifactsElsewhere">Trials whose artifact folder is not on this machine: their runs have no artifacts.</param>
public sealed record MlflowExport(string Root, string ExperimentId, int Runs, IReadOnlyList<int> ArtifactsElsewhere);
