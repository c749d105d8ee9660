using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using SweepCluster.Core.Models;

namespace SweepCluster.Cluster.Registry;

/// <summary>
/// The model registry: one persistent actor (a cluster singleton on the coordinator role, in the coordinator's journal) that
/// records registered versions and their stages, so that they survive a coordinator's node as sweeps do. Decisions are
/// <see cref="ModelRegistryState"/>'s; the files stay on the worker that ran the trial (<see cref="Worker.ModelArchive"/>).
/// </summary>
public sealed class ModelRegistry : ReceivePersistentActor
{
    private readonly ModelRegistryState _state = new();
    private readonly Func<DateTimeOffset> _now;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ModelRegistry(Func<DateTimeOffset> now)
    {
        _now = now;
        Recover<IModelEvent>(_state.Apply);
        Command<RegisterModelVersion>(Register);
        Command<PromoteModelVersion>(Promote);
        Command<ListModels>(_ => Sender.Tell(new ModelAnswer(null, [.. _state.Names.SelectMany(_state.Versions)], null)));
        Command<GetModelVersion>(q => Sender.Tell(_state.Resolve(q.Reference) switch
        {
            ({ } version, _) => ModelAnswer.Of(version),
            (_, var problem) => ModelAnswer.Refused(problem!),
        }));
    }

    public override string PersistenceId => ClusterNames.ModelRegistryPersistenceId;

    private void Register(RegisterModelVersion c)
    {
        if (ModelRegistryState.NameProblem(c.Name) is { } problem)
        {
            Sender.Tell(ModelAnswer.Refused(problem));
            return;
        }
        var registered = new ModelVersionRegistered(c.Name, _state.NextVersion(c.Name), c.SweepId, c.Trial, c.Node, c.Folder, c.Files, c.Metric, c.Metrics, c.Card, _now());
        var sender = Sender;
        Persist(registered, e =>
        {
            _state.Apply(e);
            _log.Info("model {0} version {1} registered from trial {2} of sweep {3}", e.Name, e.Version, e.Trial, e.SweepId);
            sender.Tell(ModelAnswer.Of(_state.Find(e.Name, e.Version)!));
        });
    }

    private void Promote(PromoteModelVersion c)
    {
        var (events, problem) = _state.Promote(c.Name, c.Version, c.Stage, _now());
        if (problem is not null)
        {
            Sender.Tell(ModelAnswer.Refused(problem));
            return;
        }
        var sender = Sender;
        if (events.Count == 0)
        {
            sender.Tell(ModelAnswer.Of(_state.Find(c.Name, c.Version)!));
            return;
        }
        PersistAll(events, e =>
        {
            _state.Apply(e);
            if (e.Version == c.Version) sender.Tell(ModelAnswer.Of(_state.Find(c.Name, c.Version)!));
        });
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        _log.Error("the journal cannot be written ({0}: {1}): the model registry stops and recovers from it again after a growing wait",
            @event.GetType().Name, cause.GetBaseException().Message.Split('\n')[0]);
}
