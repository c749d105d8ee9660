using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Telemetry;
using SweepCluster.Core.Results;
using SweepCluster.Core.Sweeps;
using SweepCluster.Core.Trials;

namespace SweepCluster.Cluster.Worker;

/// <summary>
/// Owns this node's GPUs and CPU slots: offers them to the coordinator (at start and then as a heartbeat, so a
/// new coordinator learns of it too), runs the trials it is given on threads of their own, and cancels them on request.
/// How each attempt ended is sent again with every heartbeat until the coordinator has recorded it. It serves its trials'
/// artifacts to any node that asks.
/// </summary>
public sealed class SweepWorker : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);
    private readonly IActorRef _coordinator;
    private readonly WorkerOptions _options;
    private readonly ITrialRunner _runner;
    private readonly string _node = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
    private readonly Dictionary<AttemptId, TrialExecution> _running = [];
    private readonly Dictionary<AttemptId, ReportTrialEnded> _unrecorded = [];
    private readonly Queue<long> _slotsFreedAt = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private (IActorRef ReplyTo, int Count)? _releasing;
    private readonly Code.CodeCache _code;
    /// <summary>Why this worker takes no trials now: it could not write a trial's record in its runs folder. Checked again each heartbeat.</summary>
    private string? _cannotWrite;

    public SweepWorker(IActorRef coordinator, WorkerOptions options, ITrialRunner runner)
    {
        _coordinator = coordinator;
        _options = options;
        _runner = runner;
        Receive<Heartbeat>(_ => Offer());
        Receive<StartTrial>(StartAttempt);
        Receive<CancelTrial>(c =>
        {
            if (_running.TryGetValue(new AttemptId(c.SweepId, c.Index, c.Attempt), out var execution)) execution.Cancel();
        });
        Receive<TrialExecutionEnded>(e =>
        {
            var s = e.Execution.Start;
            var id = new AttemptId(s.SweepId, s.Index, s.Attempt);
            _running.Remove(id);
            _unrecorded[id] = e.Report;
            _slotsFreedAt.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
            if (e.Report is { Status: TrialStatus.Failed, Reason: { } reason } && reason.StartsWith(TrialExecution.CannotWrite, StringComparison.Ordinal))
            {
                // Said before the failure, so that the coordinator places nothing more here while the fault lasts.
                _cannotWrite = $"it cannot write its runs folder {Path.GetFullPath(_options.RunsDirectory)} ({reason})";
                _log.Warning("this worker takes no trials while it cannot write its runs folder: {0}", reason);
                _coordinator.Tell(Registration());
            }
            _coordinator.Tell(e.Report);
        });
        Receive<ForgetTrialEnd>(f =>
        {
            _unrecorded.Remove(new AttemptId(f.SweepId, f.Index, f.Attempt));
            AnswerReleaseWhenDone();
        });
        Receive<ReleaseAttempts>(r =>
        {
            _releasing = (Sender, _running.Count);
            if (_running.Count > 0)
                _log.Info("this worker is leaving: it gives back {0} running trial attempts ({1})", _running.Count, string.Join(", ", _running.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal)));
            foreach (var execution in _running.Values) execution.Release(r.Reason);
            Offer(); // leaving now: the coordinator places nothing more here
            AnswerReleaseWhenDone();
        });
        var artifacts = new TrialArtifacts(options.RunsDirectory);
        _code = new Code.CodeCache(Context.System, Code.CodeStore.FolderBeside(options.RunsDirectory));
        Receive<ListArtifacts>(l => Sender.Tell(artifacts.List(l.TrialFolder)));
        Receive<ReadArtifact>(r => Sender.Tell(artifacts.Read(r)));
        var models = new ModelArchive(options.RunsDirectory, artifacts);
        // Copying a model's files takes a while: off the actor's thread, so that trials' reports are not kept waiting.
        Receive<ArchiveModel>(a => Task.Run(() => models.Archive(a)).PipeTo(Sender));
        Receive<ReadModelFile>(r => Sender.Tell(models.Read(r)));
        // Hashing a data folder reads every file once per process: off the actor's thread.
        Receive<FingerprintData>(f => Task.Run(() => (options.DataDirectory ?? f.Fallback) is { } folder
            ? new DataFingerprinted(folder, Core.Files.DataFingerprint.Of(folder))
            : new DataFingerprinted(null, null)).PipeTo(Sender));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer(nameof(Heartbeat), Heartbeat.Instance, TimeSpan.Zero, HeartbeatInterval);

    /// <summary>The node is leaving (or was downed, cut off from the others): its attempts stop rather than train on unseen.</summary>
    protected override void PostStop()
    {
        if (_running.Count > 0)
            _log.Warning("this worker is stopping: {0} running trial attempts stop with it ({1})", _running.Count, string.Join(", ", _running.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal)));
        foreach (var execution in _running.Values) execution.Cancel();
    }

    private void StartAttempt(StartTrial start)
    {
        var key = new AttemptId(start.SweepId, start.Index, start.Attempt);
        if (_running.ContainsKey(key)) return;
        if (_releasing is not null)
        {
            // Sent before the coordinator heard that this worker leaves: given back at once, without starting.
            _unrecorded[key] = new ReportTrialEnded(start.SweepId, start.Index, start.Attempt, TrialStatus.Cancelled, ImmutableDictionary<string, double>.Empty,
                "released: its worker was leaving", 0, null, Released: true);
            _coordinator.Tell(_unrecorded[key]);
            return;
        }
        _log.Info("trial {0}/{1} attempt {2} starts on {3}", start.SweepId, start.Index, start.Attempt, start.Device);
        if (_slotsFreedAt.TryDequeue(out var freedAt))
            SweepTelemetry.SlotIdle.Record(System.Diagnostics.Stopwatch.GetElapsedTime(freedAt).TotalSeconds, new KeyValuePair<string, object?>("node", _node));
        var execution = new TrialExecution(start, _options, _runner, _code, _node, _coordinator, Self);
        _running[key] = execution;
        execution.Run();
    }

    private void AnswerReleaseWhenDone()
    {
        if (_releasing is not { } releasing || _running.Count > 0 || _unrecorded.Count > 0) return;
        releasing.ReplyTo.Tell(new AttemptsReleased(releasing.Count));
    }

    /// <summary>Ends not yet recorded go first: a new coordinator then knows those attempts ended before it sees they are not running.</summary>
    private void Offer()
    {
        foreach (var report in _unrecorded.Values) _coordinator.Tell(report);
        if (_cannotWrite is not null && CanWrite())
        {
            _log.Info("this worker can write its runs folder again and takes trials");
            _cannotWrite = null;
        }
        _coordinator.Tell(Registration());
    }

    private RegisterWorker Registration() => new(_node, _options.Gpus, _options.CpuSlots,
        [.. _running.Select(r => new RunningAttempt(r.Key.SweepId, r.Key.Index, r.Key.Attempt, r.Value.IdleSeconds))], _options.GpuTrialsOnCpu,
        _releasing is null ? _options.LeaveAt : DateTimeOffset.MinValue, // leaving now, whatever the coordinator's clock says
        _cannotWrite);

    /// <summary>A file can be made (and removed) in the runs folder.</summary>
    private bool CanWrite()
    {
        try
        {
            Directory.CreateDirectory(_options.RunsDirectory);
            var probe = Path.Combine(_options.RunsDirectory, $".write-check-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private sealed record Heartbeat : INoSerializationVerificationNeeded
    {
        public static readonly Heartbeat Instance = new();
    }
}
