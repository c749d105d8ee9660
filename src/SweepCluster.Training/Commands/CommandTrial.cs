using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using SweepCluster.Core.Files;
using SweepCluster.Core.Json;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;

namespace SweepCluster.Training.Commands;

/// <summary>
/// One attempt of a trial of the user's program, as <c>docs/trial-contract.md</c> says: each <c>run:</c> entry in turn, in the
/// code folder, with the trial in its environment; lines of standard output holding the metric are its reports, the rest is kept
/// as its log. Synchronous: call it on a thread of its own.
/// </summary>
public static class CommandTrial
{
    private static readonly TimeSpan DrainAfterExit = TimeSpan.FromSeconds(5);

    public static TrialOutcome Run(TrialJob job, Action<EpochReport> onEpoch, Action<EpochProgress?> onBatch, CancellationToken cancellation) =>
        RunEntries(job, onEpoch, onBatch, check: false, cancellation) ?? throw new InvalidOperationException("unreachable: a trial has an outcome or fails");

    /// <summary>
    /// The program's own check before a sweep (<c>check: true</c>): each <c>run:</c> entry with <c>--check</c> after its
    /// arguments and <c>SWEEP_CHECK=1</c>, in the trial's environment. It passes when each exits 0; it need print no metric.
    /// </summary>
    /// <exception cref="CommandTrialFailure">An entry failed: the reason names it, its exit status and the end of its stderr.</exception>
    public static void Check(TrialJob job, CancellationToken cancellation) => RunEntries(job, _ => { }, _ => { }, check: true, cancellation);

    private static TrialOutcome? RunEntries(TrialJob job, Action<EpochReport> onEpoch, Action<EpochProgress?> onBatch, bool check, CancellationToken cancellation)
    {
        var command = job.Command ?? throw new ArgumentException("the job runs no command", nameof(job));
        Directory.CreateDirectory(job.ArtifactDirectory);
        var checkpoints = job.CheckpointDirectory ?? Path.Combine(job.ArtifactDirectory, "checkpoint");
        Directory.CreateDirectory(checkpoints);
        var parameters = JsonSerializer.Serialize(job.Params, SweepJson.Compact);
        var paramsFile = Path.Combine(job.ArtifactDirectory, "params.json");
        AtomicFile.WriteAllText(paramsFile, parameters);
        var environment = Environment(job, command, parameters, paramsFile, checkpoints);
        if (check) environment["SWEEP_CHECK"] = "1";
        using var stdout = new TrialLog(Path.Combine(job.ArtifactDirectory, "stdout.log"));
        using var stderr = new TrialLog(Path.Combine(job.ArtifactDirectory, "stderr.log"));
        var reports = new Reports(command.Metric, onEpoch);
        Action onAlive = () => onBatch(null); // each line of output: the program is alive
        foreach (var entry in command.Commands)
        {
            var arguments = Arguments(entry, job.Params, paramsFile);
            if (check) arguments.Add("--check");
            var exitCode = RunOne(arguments, command.CodeDirectory, environment, stdout, stderr, reports, onAlive, cancellation);
            if (exitCode != 0) throw new CommandTrialFailure($"{Path.GetFileName(arguments[0] == "python3" ? arguments[1] : arguments[0])} {ExitText(exitCode)}{Tail(stderr)}", Retryable: true);
        }
        if (check) return null;
        return reports.Outcome() ?? throw new CommandTrialFailure(reports.WhyNothing(), Retryable: false);
    }

    /// <summary>An entry's program and arguments: a <c>.py</c> path runs as <c>python3 PATH PARAMS_FILE</c>, as SnapperML runs it.</summary>
    public static List<string> Arguments(string entry, ParamValue.Map parameters, string paramsFile)
    {
        var words = CommandWords.Split(entry, out var problem) ?? throw new CommandTrialFailure($"'{entry}' cannot be read as a command: {problem}", Retryable: false);
        if (words is [var script] && script.EndsWith(".py", StringComparison.Ordinal)) return ["python3", script, paramsFile];
        return [.. words.Select(w => CommandWords.Fill(w, parameters))];
    }

    private static Dictionary<string, string> Environment(TrialJob job, CommandJob command, string parameters, string paramsFile, string checkpoints)
    {
        var data = command.DataFolder(job.DataDirectory);
        var gpus = command.Gpus ?? (job.Device.StartsWith("cuda:", StringComparison.Ordinal) ? [int.Parse(job.Device[5..], CultureInfo.InvariantCulture)] : []);
        var environment = new Dictionary<string, string>
        {
            ["SWEEP_PARAMS"] = parameters,
            ["SWEEP_PARAMS_FILE"] = paramsFile,
            ["SWEEP_TRIAL_DIR"] = job.ArtifactDirectory,
            ["SWEEP_CHECKPOINT_DIR"] = checkpoints,
            ["SWEEP_SEED"] = job.Seed.ToString(CultureInfo.InvariantCulture),
            ["SWEEP_ID"] = job.Id?.SweepId ?? "",
            ["SWEEP_TRIAL"] = (job.Id?.Index ?? 0).ToString(CultureInfo.InvariantCulture),
            ["SWEEP_ATTEMPT"] = (job.Id?.Attempt ?? 1).ToString(CultureInfo.InvariantCulture),
            ["SWEEP_DEVICE"] = job.Device,
            ["SWEEP_METRIC"] = command.Metric,
            ["CUDA_VISIBLE_DEVICES"] = string.Join(",", gpus),
            ["PYTHONUNBUFFERED"] = "1", // reports arrive as they are printed, not when a buffer fills
        };
        if (data is not null) environment["SWEEP_DATA_DIR"] = data;
        if (job.Epochs is { } epochs) environment["SWEEP_EPOCHS"] = epochs.ToString(CultureInfo.InvariantCulture);
        if (job.Threads is { } threads)
            foreach (var name in (string[])["SWEEP_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"])
                environment[name] = threads.ToString(CultureInfo.InvariantCulture);
        return environment;
    }

    /// <summary>Runs one program to its end (or stops it), reading its output as it comes; its exit code.</summary>
    private static int RunOne(List<string> arguments, string directory, Dictionary<string, string> environment, TrialLog stdout, TrialLog stderr,
        Reports reports, Action onAlive, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        if (!Directory.Exists(directory)) throw new CommandTrialFailure($"the code folder {directory} does not exist on this worker", Retryable: false);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new CommandTrialFailure($"{arguments[0]} did not start", Retryable: true);
        }
        catch (Win32Exception e)
        {
            throw new CommandTrialFailure($"cannot start {arguments[0]}: {e.Message}", Retryable: false);
        }
        using (process)
        {
            var group = process.Id; // setsid made the program the leader of a group of its own
            ProcessGroups.Watch(group);
            process.StandardInput.Close(); // a program that reads its input gets end of file, not the worker's terminal
            ExceptionDispatchInfo? failure = null;
            void Stop(Exception e)
            {
                failure ??= ExceptionDispatchInfo.Capture(e);
                ProcessGroups.Signal(group, ProcessGroups.SigKill);
            }
            var readers = new[]
            {
                Pump(process.StandardOutput, line => { stdout.WriteLine(line); onAlive(); reports.Read(line); }, Stop),
                Pump(process.StandardError, line => { stderr.WriteLine(line); onAlive(); }, Stop),
            };
            try
            {
                process.WaitForExitAsync(cancellation).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                ProcessGroups.Stop(group, grace => process.WaitForExit(grace), ProcessGroups.Grace);
                throw;
            }
            finally
            {
                ProcessGroups.Signal(group, ProcessGroups.SigKill); // what it left running in its group goes with it
                Task.WaitAll(readers, DrainAfterExit);
                ProcessGroups.Forget(group);
            }
            failure?.Throw();
            return process.ExitCode;
        }
    }

    /// <summary>
    /// Reads a program's output line by line without holding a thread while it waits: a worker with many programs running
    /// would otherwise block a pool thread per stream, and the pool adds threads slowly when a wave of trials starts.
    /// </summary>
    private static async Task Pump(StreamReader reader, Action<string> onLine, Action<Exception> onError)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line) onLine(line);
        }
        catch (Exception e) when (e is not IOException)
        {
            onError(e); // a report the attempt cannot take (a NaN metric): the program is stopped and the attempt fails with it
        }
    }

    private static string ExitText(int exitCode) => exitCode > 128 && exitCode < 128 + 65
        ? $"was killed by signal {exitCode - 128}{(exitCode - 128 == ProcessGroups.SigKill ? " (KILL: out of memory?)" : "")}"
        : $"exited with status {exitCode}";

    private static string Tail(TrialLog stderr) =>
        stderr.Tail(3) is { Count: > 0 } lines ? "; its standard error ends: " + string.Join(" | ", lines.Select(l => l.Trim()).Where(l => l.Length > 0)) : "";

    /// <summary>The reports read so far: each becomes an epoch, the last one's numbers the attempt's metrics.</summary>
    private sealed class Reports(string metric, Action<EpochReport> onEpoch)
    {
        /// <summary>A single run naming no metric: any JSON object is a report, and the run's value is its exit status, 0.</summary>
        private readonly bool _exitStatus = metric == MetricSpec.ExitStatus;
        private readonly List<EpochReport> _epochs = [];
        private IReadOnlyDictionary<string, double>? _last;
        private long _since = Stopwatch.GetTimestamp();
        private int _lines;
        private string? _problem;

        public void Read(string line)
        {
            _lines++;
            if (ReportLine.Read(line, _exitStatus ? null : metric, out var problem) is not { } report)
            {
                _problem ??= problem is null ? null : $"line {_lines} of its output looked like a report but {problem}";
                return;
            }
            var value = _exitStatus ? 0 : report.Metrics[metric];
            var epoch = report.Epoch ?? (_epochs.Count > 0 ? _epochs[^1].Epoch + 1 : 1);
            var seconds = Stopwatch.GetElapsedTime(_since).TotalSeconds;
            _since = Stopwatch.GetTimestamp();
            var reported = new EpochReport(epoch, report.Metrics.GetValueOrDefault("loss", value), value, seconds, 0);
            onEpoch(reported);
            _epochs.Add(reported);
            _last = report.Metrics;
        }

        public TrialOutcome? Outcome() => _exitStatus
            ? new TrialOutcome(new Dictionary<string, double>(_last ?? new Dictionary<string, double>()) { [metric] = 0 }, _epochs, new Dictionary<string, string>())
            : _last is null ? null : new TrialOutcome(_last, _epochs, new Dictionary<string, string>());

        public string WhyNothing() =>
            $"reported no {metric}: no line of its output was a JSON object holding \"{metric}\"{(_problem is null ? "" : $" ({_problem})")}";
    }
}

/// <summary>An attempt of the user's program that failed; <paramref name="Retryable"/> when another attempt could end otherwise.</summary>
public sealed class CommandTrialFailure(string reason, bool Retryable) : Exception(reason)
{
    public bool Retryable { get; } = Retryable;
}
