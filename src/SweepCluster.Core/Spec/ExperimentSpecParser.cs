using System.Collections.Immutable;
using System.Text.RegularExpressions;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Sampling;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Core.Spec;

/// <param name="Notices">What the file asks for that works differently here (SnapperML's <c>ray_config</c>, a default it relied on): said, not refused.</param>
public sealed record SpecParseResult(ExperimentSpec? Spec, IReadOnlyList<SpecError> Errors, IReadOnlyList<SpecError>? Notices = null);

/// <summary>
/// Reads a SnapperML-style experiment file into an <see cref="ExperimentSpec"/>, collecting every error of the
/// file (each with line, column and key path) rather than stopping at the first.
/// </summary>
public static partial class ExperimentSpecParser
{
    /// <summary>How long a trial may go without an epoch or a trained batch: loading a large data set counts too, so it is generous.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromMinutes(10);

    public static readonly ImmutableArray<string> TopLevelKeys =
    [
        "name", "kind", "num_trials", "sampler", "pruner", "resources_per_worker", "timeout_per_trial", "stall_timeout",
        "max_failures", "params", "param_space", "metric", "run", "check", "seed", "warm_start", "data", "root_path", "ray_config", "docker_config",
    ];

    /// <param name="code">Where the experiment's own code is (see <see cref="CodeFolder"/>); null: only built-in trainers are accepted.</param>
    public static SpecParseResult ParseFile(string path, CodeFolder? code = null)
    {
        string text;
        try
        {
            (text, var unset) = ExperimentText.Read(path);
            if (unset.Count > 0) return new SpecParseResult(null, unset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message;
            return new SpecParseResult(null, [new SpecError(path, 1, 1, "", $"cannot read the experiment file: {reason}")]);
        }
        return Parse(text, path, code);
    }

    /// <summary>The experiment of a submitted sweep, as its submitter resolved it: with a code folder, its trials run commands.</summary>
    public static SpecParseResult Parse(Sweeps.SweepSubmitted submitted) =>
        Parse(submitted.SpecYaml, submitted.Source, CodeFolder.Submitted(submitted.CodeDirectory));

    /// <param name="code">Where the experiment's own code is (see <see cref="CodeFolder"/>); null: only built-in trainers are accepted.</param>
    public static SpecParseResult Parse(string yaml, string source, CodeFolder? code = null)
    {
        var reader = new Reader(source, code);
        var spec = reader.Read(yaml);
        // In the file's order, as a reader fixes them, whatever order the checks found them in.
        return new SpecParseResult(reader.Errors.Count == 0 ? spec : null, [.. reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column)],
            [.. reader.Notices.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex YamlMessagePrefix();

    private sealed partial class Reader(string source, CodeFolder? code)
    {
        public List<SpecError> Errors { get; } = [];

        public List<SpecError> Notices { get; } = [];

        public ExperimentSpec? Read(string yaml)
        {
            if (YamlLimits.Check(yaml) is var (at, problem))
            {
                Error(at, "", problem);
                return null;
            }
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(yaml));
            }
            catch (YamlException e)
            {
                Error(e.Start, "", "the file is not valid YAML: " + YamlMessagePrefix().Replace(e.Message, ""));
                return null;
            }
            catch (InvalidOperationException)
            {
                // YamlDotNet's scanner throws this, without a position, when the input ends inside a [...] or {...}.
                var lastLine = yaml.TrimEnd().Split('\n').Length;
                Errors.Add(new SpecError(source, lastLine, 1, "", "the file is not valid YAML: it ends inside a [...] or {...}; close the bracket"));
                return null;
            }
            if (stream.Documents.Count == 0)
            {
                Error(Mark.Empty, "", "the file is empty; an experiment needs at least name, num_trials, param_space, metric and run");
                return null;
            }
            if (stream.Documents.Count > 1)
                Error(stream.Documents[1].RootNode.Start, "", "the file holds more than one YAML document; put one experiment per file");
            if (stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                Error(stream.Documents[0].RootNode.Start, "", "an experiment file is a mapping of keys (name:, num_trials:, ...)");
                return null;
            }
            return ReadExperiment(root);
        }

        private ExperimentSpec? ReadExperiment(YamlMappingNode root)
        {
            var keys = Keys(root, "", TopLevelKeys);
            var name = RequiredText(root, keys, "name", "the experiment's name, e.g. name: \"Simple CNN\"");
            var singleRun = ReadKind(keys);
            var numTrials = singleRun
                ? Optional<long?>(keys, "num_trials", 1, n => Integer(n, "num_trials", min: 1))
                : Required(root, keys, "num_trials", "the number of trials, e.g. num_trials: 20", n => Integer(n, "num_trials", min: 1));
            var sampler = Optional(keys, "sampler", SamplerKind.Tpe, n => Enum(n, "sampler", SamplerNames));
            var pruner = Optional(keys, "pruner", PrunerKind.Median, n => Enum(n, "pruner", PrunerNames));
            var resources = Optional(keys, "resources_per_worker", new ResourceRequest(1, 0), ReadResources);
            var timeout = Optional<TimeSpan?>(keys, "timeout_per_trial", null, n => ReadSeconds(n, "timeout_per_trial", "leave it out for no timeout"));
            var stall = Optional<TimeSpan?>(keys, "stall_timeout", DefaultStallTimeout, n => ReadSeconds(n, "stall_timeout", $"leave it out for {DefaultStallTimeout.TotalSeconds:0}"));
            var maxFailures = Optional(keys, "max_failures", 3, n => Integer(n, "max_failures", min: 0));
            var fixedParams = Optional(keys, "params", ParamValue.Map.Empty, ReadParams);
            var space = Optional(keys, "param_space", SearchSpace.Empty, n => ReadSpace(n, sampler ?? SamplerKind.Random));
            if (fixedParams is not null && space is not null) fixedParams = WithoutSearched(fixedParams, keys);
            var metric = singleRun && !keys.ContainsKey("metric") ? null
                : Required(root, keys, "metric", "the metric to optimise, e.g. metric: {name: test_f1, direction: maximize}", ReadMetric);
            ReadIgnoredSections(keys);
            var data = Optional(keys, "data", null, ReadData);
            var codeFolder = ReadRootPath(keys);
            var run = Required(root, keys, "run", "the trainer or your program, e.g. run: [src/convnet.py] or run: [train.py]",
                n => ReadRun(n, codeFolder, fixedParams, space));
            var trainer = run?.Trainer;
            var check = Optional<bool?>(keys, "check", false, n => Flag(n, "check"));
            if (check == true && run is { Commands: null })
                Error(keys["check"].Value.Start, "check", $"{trainer} is a built-in trainer: it is always checked before a sweep; check: is for your own program (its --check)");
            if (singleRun && !keys.ContainsKey("metric") && run is not null) metric = ImpliedMetric(root, run);
            if (metric is not null && run is { Commands: null } && !KnownTrainers.Metrics[run.Trainer].Contains(metric.Name))
                Error(keys["metric"].Value.Start, "metric.name",
                    $"{trainer} reports no metric '{metric.Name}'; it reports {string.Join(", ", KnownTrainers.Metrics[run.Trainer])}");
            var seed = Optional(keys, "seed", fixedParams?["seed"] is ParamValue.Int s ? s.Value : 0L, n => Integer(n, "seed", min: long.MinValue));
            var warmStart = Optional<IReadOnlyList<string>>(keys, "warm_start", [], ReadWarmStart);

            if (name is null || numTrials is null || metric is null || trainer is null || sampler is null || pruner is null
                || resources is null || maxFailures is null || fixedParams is null || space is null || seed is null || warmStart is null || check is null)
                return null;
            var spec = new ExperimentSpec(source, name, (int)numTrials.Value, sampler.Value, pruner.Value, resources, timeout, stall ?? DefaultStallTimeout,
                (int)maxFailures.Value, fixedParams, space, metric, trainer, seed.Value, warmStart.Count > 0 ? warmStart : null,
                run!.Commands, run.Commands is null ? null : codeFolder?.Path, data, check.Value);
            var total = TrialPlanner.TotalTrials(spec);
            if (total > TrialPlanner.MaxTrials)
                Error(keys["num_trials"].Value.Start, "num_trials",
                    $"the sweep would run {(total == long.MaxValue ? "more than " + TrialPlanner.MaxTrials : total)} trials "
                    + $"(num_trials x {GridLayout.For(space, sampler.Value).Points} grid points); at most {TrialPlanner.MaxTrials} are allowed");
            return spec;
        }

        /// <summary>A single run without <c>metric:</c>: a built-in trainer's own metric, or for the user's code its exit status.</summary>
        private MetricSpec ImpliedMetric(YamlMappingNode root, RunEntries run)
        {
            if (run.Commands is null)
                return KnownTrainers.NeedsData(run.Trainer) ? new MetricSpec("test_f1", MetricDirection.Maximize) : new MetricSpec("value", MetricDirection.Minimize);
            Notice(root.Start, "metric", "not given: a single run needs none; it completes when its program exits 0, and the numbers it prints "
                + "as JSON objects are kept as its metrics (name one, metric: {name: ...}, to compare runs by it)");
            return new MetricSpec(MetricSpec.ExitStatus, MetricDirection.Minimize);
        }

        /// <summary><c>warm_start: 1a2b3c4d</c> or a list: sweep ids, or run folders (relative ones in the node's runs folder).</summary>
        private IReadOnlyList<string>? ReadWarmStart(YamlNode node)
        {
            var items = node is YamlSequenceNode seq ? seq.Children.ToList() : [node];
            var sources = new List<string>();
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is YamlScalarNode { Value: { Length: > 0 } text }) sources.Add(text);
                else Error(items[i].Start, node is YamlSequenceNode ? $"warm_start[{i}]" : "warm_start",
                    "names an earlier sweep by its id (warm_start: 1a2b3c4d) or run folder; several in a list");
            }
            return sources.Count == items.Count ? sources : null;
        }

        private static readonly Dictionary<string, SamplerKind> SamplerNames = new()
        {
            ["random"] = SamplerKind.Random,
            ["grid"] = SamplerKind.Grid,
            ["tpe"] = SamplerKind.Tpe,
            ["gp"] = SamplerKind.Gp,
        };

        private static readonly Dictionary<string, PrunerKind> PrunerNames = new()
        {
            ["median"] = PrunerKind.Median,
            ["sha"] = PrunerKind.SuccessiveHalving,
            ["hyperband"] = PrunerKind.Hyperband,
            ["none"] = PrunerKind.None,
        };

        /// <summary>
        /// True for a single run: SnapperML's <c>kind: experiment</c> or <c>job</c>, or a file without <c>kind</c> that searches
        /// nothing (no <c>param_space</c>, no <c>num_trials</c>). Such a file is a sweep of one trial of its <c>params</c>.
        /// </summary>
        private bool ReadKind(Dictionary<string, (YamlScalarNode Key, YamlNode Value)> keys)
        {
            if (!keys.TryGetValue("kind", out var entry)) return !keys.ContainsKey("param_space") && !keys.ContainsKey("num_trials");
            if (Text(entry.Value, "kind") is not { } kind || kind == "group") return false;
            if (kind is not ("experiment" or "job"))
            {
                Error(entry.Value.Start, "kind", $"unknown kind '{kind}'; use group (a search), or experiment or job (a single run)");
                return false;
            }
            if (keys.TryGetValue("param_space", out var space))
                Error(space.Key.Start, "param_space", $"kind '{kind}' runs once with its params; a search space needs kind: group");
            return true;
        }

        private ResourceRequest? ReadResources(YamlNode node)
        {
            if (Mapping(node, "resources_per_worker") is not { } map) return null;
            var keys = Keys(map, "resources_per_worker", ["cpu", "gpu"]);
            var cpu = Optional(keys, "cpu", 1.0, n => Number(n, "resources_per_worker.cpu"));
            var gpu = Optional(keys, "gpu", 0.0, n => Number(n, "resources_per_worker.gpu"));
            if (cpu is <= 0 && keys.TryGetValue("cpu", out var c))
                Error(c.Value.Start, "resources_per_worker.cpu", $"needs a number > 0 (got {cpu})");
            if (gpu is { } g && keys.TryGetValue("gpu", out var gpuEntry) && (g < 0 || (g > 1 && g != Math.Floor(g))))
                Error(gpuEntry.Value.Start, "resources_per_worker.gpu",
                    $"needs 0 (CPU only), a share of one GPU below 1 (e.g. 0.5), or a whole number of GPUs (got {g})");
            return cpu is > 0 && gpu is { } gv ? new ResourceRequest(cpu.Value, gv) : null;
        }

        private TimeSpan? ReadSeconds(YamlNode node, string key, string otherwise)
        {
            if (node is YamlScalarNode { Style: ScalarStyle.Plain } s && ScalarResolver.ResolvePlain(s.Value ?? "") is ParamValue.Null)
                return null;
            var seconds = Number(node, key);
            if (seconds is null) return null;
            if (seconds > 0) return TimeSpan.FromSeconds(seconds.Value);
            Error(node.Start, key, $"needs a number of seconds > 0 (got {seconds}); {otherwise}");
            return null;
        }

        private MetricSpec? ReadMetric(YamlNode node)
        {
            if (Mapping(node, "metric") is not { } map) return null;
            var keys = Keys(map, "metric", ["name", "direction", "report"]);
            var name = RequiredText(map, keys, "name", "the metric's name, e.g. name: test_f1", "metric.name");
            var direction = Optional<MetricDirection?>(keys, "direction", null, n => Enum(n, "metric.direction",
                new Dictionary<string, MetricDirection> { ["maximize"] = MetricDirection.Maximize, ["minimize"] = MetricDirection.Minimize }));
            if (!keys.ContainsKey("direction"))
            {
                direction = MetricDirection.Minimize;
                Notice(map.Start, "metric.direction", "not given: minimize, as SnapperML's default; write direction: maximize for a score such as test_f1");
            }
            var report = Optional(keys, "report", MetricReport.Last, n => Enum(n, "metric.report",
                new Dictionary<string, MetricReport> { ["last"] = MetricReport.Last, ["best"] = MetricReport.Best }));
            return name is null || direction is null || report is null ? null : new MetricSpec(name, direction.Value, report.Value);
        }

        private ParamValue.Map? ReadParams(YamlNode node) =>
            Mapping(node, "params") is { } map ? (ParamValue.Map?)ReadValue(map, "params") : null;

        /// <summary>A fixed value; distribution-shaped text here is a mistake, so it is named as one.</summary>
        private ParamValue? ReadValue(YamlNode node, string path)
        {
            switch (node)
            {
                case YamlScalarNode scalar:
                    var text = scalar.Value ?? "";
                    if (DistributionParser.LooksLikeDistribution(text))
                    {
                        Error(node.Start, path, $"'{text}' is a distribution; searched values go under param_space, fixed ones here");
                        return null;
                    }
                    return scalar.Style == ScalarStyle.Plain ? ScalarResolver.ResolvePlain(text) : new ParamValue.Text(text);
                case YamlSequenceNode seq:
                    var items = seq.Children.Select((child, i) => ReadValue(child, $"{path}[{i}]")).ToList();
                    return items.Contains(null) ? null : new ParamValue.List([.. items.Cast<ParamValue>()]);
                default:
                    var map = (YamlMappingNode)node;
                    var entries = map.Children.Select(e => (Key: KeyText(e.Key, path), Value: ReadValue(e.Value, Join(path, KeyText(e.Key, path))))).ToList();
                    return entries.Any(e => e.Key is null || e.Value is null)
                        ? null
                        : new ParamValue.Map([.. entries.Select(e => KeyValuePair.Create(e.Key!, e.Value!))]);
            }
        }
    }
}
