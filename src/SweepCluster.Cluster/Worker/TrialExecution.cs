using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Telemetry;
using SweepCluster.Core.Files;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;
using SweepCluster.Core.Trials;

namespace SweepCluster.Cluster.Worker;

/// <summary>
/// One trial attempt on a trial thread (<see cref="TrialThreads"/>: training never runs on an actor dispatcher thread). It reports
/// each epoch to the coordinator, writes <c>trial.json</c> beside the trainer's artifacts, and tells the worker
/// how it ended: completed, failed (a timeout, or the runner's explanation of its error and whether trying again
/// could help), or cancelled. A failure never escapes the thread: the worker goes on serving.
/// </summary>
internal sealed class TrialExecution(StartTrial trial, WorkerOptions options, ITrialRunner runner, Code.CodeCache code, string node, IActorRef coordinator,
    IActorRef worker)
{
    private readonly CancellationTokenSource _cancel = new();
    private string? _releasedBecause;
    private long _lastActive = Stopwatch.GetTimestamp();
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    public StartTrial Start { get; } = trial;

    /// <summary>Seconds since the attempt last trained a batch or finished an epoch; read by the worker's heartbeat.</summary>
    public double IdleSeconds => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastActive)).TotalSeconds;

    /// <summary>The trial's folder on this worker's disk: the coordinator names it relative to the worker's runs folder.</summary>
    private string ArtifactDirectory => Path.GetFullPath(Path.Combine(options.RunsDirectory, Start.ArtifactDirectory));

    /// <summary>The trial's checkpoints, the same folder for every attempt so that a retry resumes where the last one got to.</summary>
    private string? CheckpointDirectory => options.CheckpointDirectory is { } root ? Path.Combine(root, Start.SweepId, $"trial-{Start.Index:D4}") : null;

    private void Active() => Interlocked.Exchange(ref _lastActive, Stopwatch.GetTimestamp());

    /// <summary>How often a running epoch's progress is told to the coordinator: enough to watch, few enough messages to be free.</summary>
    private static readonly TimeSpan InEpochInterval = TimeSpan.FromSeconds(2);

    private long _inEpochSent;
    private TrialOutcome? _outcome;
    private (int Epoch, long Samples, long At) _epochSeen = (0, 0, 0);

    /// <summary>A batch trained (on the trial's thread): alive, and now and then how far the epoch has got, with its pace since the epoch's first batch.</summary>
    private void Batch(EpochProgress? progress)
    {
        Active();
        if (progress is null) return;
        var now = Stopwatch.GetTimestamp();
        if (_epochSeen.Epoch != progress.Epoch) _epochSeen = (progress.Epoch, progress.Samples, now);
        if (_inEpochSent != 0 && Stopwatch.GetElapsedTime(_inEpochSent, now) < InEpochInterval) return;
        _inEpochSent = now;
        var seconds = Stopwatch.GetElapsedTime(_epochSeen.At, now).TotalSeconds;
        var pace = seconds > 0 ? (progress.Samples - _epochSeen.Samples) / seconds : 0;
        coordinator.Tell(new ReportEpochProgress(Start.SweepId, Start.Index, Start.Attempt, progress with { SamplesPerSecond = pace }));
    }

    public void Run() => TrialThreads.Run(Execute);

    public void Cancel() => _cancel.Cancel();

    /// <summary>Stops the attempt to give the trial back (the node is leaving): it ends as released, to run again from its last checkpoint.</summary>
    public void Release(string reason)
    {
        Volatile.Write(ref _releasedBecause, reason);
        _cancel.Cancel();
    }

    private void Execute()
    {
        var startedAt = DateTimeOffset.UtcNow;
        ReportTrialEnded ended;
        try
        {
            var epochs = new List<EpochReport>();
            ended = Recorded(Attempt(epochs), epochs, startedAt);
        }
        catch (Exception e)
        {
            // Whatever else the attempt met (its telemetry, the runner's explanation of an error): the attempt fails, the worker goes on.
            ended = End(TrialStatus.Failed, null, $"the worker could not run the attempt: {e.GetType().Name}: {e.Message.Split('\n', 2)[0]}", retryable: true);
        }
        worker.Tell(new TrialExecutionEnded(this, ended));
    }

    /// <summary>Runs the attempt with the runner and says how it ended: completed, timed out, cancelled, or failed as the runner explains it.</summary>
    private ReportTrialEnded Attempt(List<EpochReport> epochs)
    {
        var start = Start;
        var tags = new TagList { { "sweep.id", start.SweepId }, { "node", node } };
        using var span = SweepTelemetry.Source.StartActivity("trial", ActivityKind.Internal,
            ActivityContext.TryParse(start.TraceParent, null, out var parent) ? parent : default);
        span?.SetTag("sweep.id", start.SweepId).SetTag("trial.index", start.Index).SetTag("trial.attempt", start.Attempt)
            .SetTag("trial.trainer", start.Trainer).SetTag("trial.device", start.Device).SetTag("trial.node", node)
            .SetTag("trial.params", JsonSerializer.Serialize(start.Params, SweepJson.Compact));
        SweepTelemetry.SamplesTrained.Add(0, tags); // the series exists for trials that train nothing too
        using var timeout = new CancellationTokenSource();
        if (start.TimeoutSeconds is { } seconds) timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        using var either = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token, timeout.Token);
        ReportTrialEnded ended;
        try
        {
            // A sweep's code sent with it: this worker's unpacked copy, fetched from a member that holds it the first time.
            var command = start.Command is { CodePackage: { } package } sent ? sent with { CodeDirectory = code.Ensure(package) } : start.Command;
            var job = new TrialJob(start.Trainer, start.Params, start.Seed, start.Device, start.Epochs, options.DataDirectory,
                ArtifactDirectory, CheckpointDirectory, options.ThreadsPerTrial, command, new TrialId(start.SweepId, start.Index, start.Attempt));
            var outcome = _outcome = runner.Run(job, e =>
            {
                Active();
                NotANumber.Check(e.Epoch, ("training loss", e.TrainLoss), ("reported value", e.Value));
                epochs.Add(e);
                SweepTelemetry.EpochDuration.Record(e.Seconds, tags);
                if (e.Samples > 0) SweepTelemetry.SamplesTrained.Add(e.Samples, tags);
                span?.AddEvent(new ActivityEvent("epoch", tags: new ActivityTagsCollection
                {
                    ["epoch"] = e.Epoch,
                    ["train_loss"] = e.TrainLoss,
                    ["value"] = e.Value,
                    ["seconds"] = e.Seconds,
                }));
                coordinator.Tell(new ReportTrialProgress(start.SweepId, start.Index, start.Attempt, new EpochPoint(e.Epoch, e.TrainLoss, e.Value, e.Seconds), e.Samples));
            }, Batch, either.Token);
            NotANumber.Check(epochs.Count > 0 ? epochs[^1].Epoch : 0, [.. outcome.Metrics.Select(m => ($"metric {m.Key}", m.Value))]);
            // A completed trial's reason is why its result is suspect, when it is.
            var warnings = outcome.Warnings.Concat(FlatCurve(epochs) is { } flat ? [flat] : Array.Empty<string>()).ToList();
            ended = End(TrialStatus.Completed, outcome.Metrics.ToImmutableDictionary(), warnings.Count > 0 ? "suspect: " + string.Join("; ", warnings) : null);
            DeleteCheckpoints();
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_cancel.IsCancellationRequested)
        {
            ended = End(TrialStatus.Failed, null, $"timeout: still running after {start.TimeoutSeconds} s (timeout_per_trial)", retryable: true);
        }
        catch (OperationCanceledException) when (Volatile.Read(ref _releasedBecause) is { } reason)
        {
            ended = End(TrialStatus.Cancelled, null, reason) with { Released = true };
        }
        catch (OperationCanceledException)
        {
            ended = End(TrialStatus.Cancelled, null, "cancelled");
        }
        catch (NotANumber e)
        {
            ended = End(TrialStatus.Failed, null, e.Message, retryable: true, e.Epoch);
        }
        catch (Core.Code.CodePackageException e)
        {
            ended = End(TrialStatus.Failed, null, $"the sweep's code could not be had on this worker: {e.Message}", retryable: true);
        }
        catch (Exception e)
        {
            var failure = runner.Explain(e, start.Device);
            ended = End(TrialStatus.Failed, null, failure.Reason, failure.Retryable, failure.DivergedAtEpoch);
        }
        span?.SetTag("trial.status", ended.Status.ToString().ToLowerInvariant()).SetTag("trial.reason", ended.Reason);
        foreach (var (name, value) in ended.Metrics) span?.SetTag($"trial.metric.{name}", value);
        if (ended.Status == TrialStatus.Failed) span?.SetStatus(ActivityStatusCode.Error, ended.Reason);
        return ended;
    }

    /// <summary>How the reason of an attempt whose record could not be written starts: its worker then takes no trials until it can write again.</summary>
    public const string CannotWrite = "cannot write trial.json";

    private void DeleteCheckpoints()
    {
        try
        {
            if (CheckpointDirectory is { } directory && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A completed trial needs no checkpoint; one left behind only takes disk space.
        }
    }

    private ReportTrialEnded End(TrialStatus status, ImmutableDictionary<string, double>? metrics, string? reason, bool retryable = false, int? divergedAt = null) =>
        new(Start.SweepId, Start.Index, Start.Attempt, status, metrics ?? ImmutableDictionary<string, double>.Empty, reason,
            Stopwatch.GetElapsedTime(_startedAt).TotalSeconds, ArtifactDirectory, retryable, divergedAt);

    /// <summary>
    /// The attempt's record, <c>trial.json</c>, written beside its artifacts. An attempt whose record cannot be written fails
    /// (out of disk space, an unwritable folder): what it produced would be lost with it.
    /// </summary>
    private ReportTrialEnded Recorded(ReportTrialEnded ended, List<EpochReport> epochs, DateTimeOffset startedAt)
    {
        var start = Start;
        try
        {
            Directory.CreateDirectory(ArtifactDirectory);
            var document = new TrialFile(start.SweepId, start.Index, start.Attempt, start.Trainer, start.Seed, start.Params, ended.Status, ended.Reason,
                new MetricValues(ended.Metrics), [.. epochs.Select(e => EpochDocument.Of(new EpochPoint(e.Epoch, e.TrainLoss, e.Value, e.Seconds), "value"))],
                node, start.Device, ended.DurationSeconds, startedAt, DateTimeOffset.UtcNow,
                start.Command is { } c ? new TrialProgram(c.Commands, c.Metric, c.CodeDirectory, c.CodePackage, c.DataDirectory) : null,
                new TrialLineage(TrialLineage.ThisRelease, _outcome?.Runtime, _outcome?.DataFolder is { } data ? DataFingerprint.Of(data) : null));
            AtomicFile.WriteAllText(Path.Combine(ArtifactDirectory, "trial.json"), SweepJson.Serialize(document));
            return ended;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && ended.Status != TrialStatus.Cancelled)
        {
            return ended with
            {
                Status = TrialStatus.Failed,
                Metrics = ImmutableDictionary<string, double>.Empty,
                Reason = $"{CannotWrite} in {ArtifactDirectory}: {e.Message}",
                Retryable = true,
            };
        }
    }

    /// <summary>The value reported the same after every one of three epochs or more: nothing was learnt, or nothing measured.</summary>
    private static string? FlatCurve(List<EpochReport> epochs) =>
        epochs.Count >= 3 && epochs.All(e => e.Value == epochs[0].Value)
            ? $"its value was {epochs[0].Value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)} after each of its {epochs.Count} epochs"
            : null;

    /// <summary>A loss, value or metric that is not a finite number: the configuration diverges (as NaN, at that epoch).</summary>
    private sealed class NotANumber(int epoch, string what, double value)
        : Exception($"the {what} became {(double.IsNaN(value) ? "NaN" : "infinite")} in epoch {epoch}")
    {
        public int Epoch { get; } = epoch;

        public static void Check(int epoch, params (string What, double Value)[] numbers)
        {
            foreach (var (what, value) in numbers)
                if (!double.IsFinite(value)) throw new NotANumber(epoch, what, value);
        }
    }
}

/// <summary>Told to the worker by a trial's thread when the attempt has ended; never leaves the process.</summary>
internal sealed record TrialExecutionEnded(TrialExecution Execution, ReportTrialEnded Report) : INoSerializationVerificationNeeded;
