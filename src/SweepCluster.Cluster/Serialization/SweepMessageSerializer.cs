using System.Collections.Frozen;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Json;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Cluster.Serialization;

/// <summary>
/// System.Text.Json for every message between nodes and every journal event and snapshot, each under a fixed manifest
/// from <see cref="Manifests"/>. A manifest is a contract with every stored journal (README: stored formats): it never
/// changes when a type is renamed or moved, and a type whose stored shape changes incompatibly gets a new one while
/// the old one keeps a reader.
/// </summary>
public sealed class SweepMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 5417;

    public static readonly JsonSerializerOptions Options = SweepJson.Stored;

    /// <summary>Every serialized type and its manifest: the names release v1 wrote, now fixed.</summary>
    public static readonly FrozenDictionary<Type, string> Manifests = new Dictionary<Type, string>
    {
        // Journal events and the snapshot: stored.
        [typeof(SweepSubmitted)] = "SweepSubmitted",
        [typeof(TrialPlanned)] = "TrialPlanned",
        [typeof(TrialStarted)] = "TrialStarted",
        [typeof(TrialProgressed)] = "TrialProgressed",
        [typeof(TrialCompleted)] = "TrialCompleted",
        [typeof(TrialFailed)] = "TrialFailed",
        [typeof(TrialPruned)] = "TrialPruned",
        [typeof(TrialRequeued)] = "TrialRequeued",
        [typeof(TrialReleased)] = "TrialReleased",
        [typeof(TrialEnqueued)] = "TrialEnqueued",
        [typeof(SweepExtended)] = "SweepExtended",
        [typeof(TrialCancelled)] = "TrialCancelled",
        [typeof(SweepCancelled)] = "SweepCancelled",
        [typeof(Core.Models.ModelVersionRegistered)] = "ModelVersionRegistered",
        [typeof(Core.Models.ModelVersionPromoted)] = "ModelVersionPromoted",
        // Its running sweeps may point into their trials.jsonl (SweepMemento.ArchivedLength), which a release before that would
        // misread as sweeps with no ended trials: a manifest of its own, which such a release refuses rather than misreads.
        [typeof(CoordinatorSnapshot)] = "CoordinatorSnapshot2",
        // Between nodes.
        [typeof(SubmitSweep)] = "SubmitSweep",
        [typeof(SweepAccepted)] = "SweepAccepted",
        [typeof(SweepRejected)] = "SweepRejected",
        [typeof(CancelSweep)] = "CancelSweep",
        [typeof(SweepCancelAccepted)] = "SweepCancelAccepted",
        [typeof(RegisterWorker)] = "RegisterWorker",
        [typeof(ReportTrialProgress)] = "ReportTrialProgress",
        [typeof(ReportEpochProgress)] = "ReportEpochProgress",
        [typeof(ReportTrialEnded)] = "ReportTrialEnded",
        [typeof(GetSweep)] = "GetSweep",
        [typeof(SweepFound)] = "SweepFound",
        [typeof(ListSweeps)] = "ListSweeps",
        [typeof(SweepsListed)] = "SweepsListed",
        [typeof(GetWorkers)] = "GetWorkers",
        [typeof(WorkersListed)] = "WorkersListed",
        [typeof(StartTrial)] = "StartTrial",
        [typeof(Code.ReadCode)] = "ReadCode",
        [typeof(Code.CodeRead)] = "CodeRead",
        [typeof(Journal.HoldLease)] = "HoldLease",
        [typeof(Journal.ReleaseLease)] = "ReleaseLease",
        [typeof(Journal.LeaseAnswered)] = "LeaseAnswered",
        [typeof(Journal.GetJournalIdentity)] = "GetJournalIdentity",
        [typeof(Journal.JournalIdentified)] = "JournalIdentified",
        [typeof(CancelTrial)] = "CancelTrial",
        [typeof(ForgetTrialEnd)] = "ForgetTrialEnd",
        [typeof(GetSweepStatus)] = "GetSweepStatus",
        [typeof(SweepStatusFound)] = "SweepStatusFound",
        [typeof(GetTrials)] = "GetTrials",
        [typeof(TrialsFound)] = "TrialsFound",
        [typeof(GetTrial)] = "GetTrial",
        [typeof(TrialFound)] = "TrialFound",
        [typeof(ListArtifacts)] = "ListArtifacts",
        [typeof(ArtifactsListed)] = "ArtifactsListed",
        [typeof(ReadArtifact)] = "ReadArtifact",
        [typeof(ArtifactRead)] = "ArtifactRead",
        [typeof(ConfirmSweep)] = "ConfirmSweep",
        [typeof(GetConfirmation)] = "GetConfirmation",
        [typeof(ConfirmationFound)] = "ConfirmationFound",
        [typeof(EnqueueTrial)] = "EnqueueTrial",
        [typeof(TrialEnqueueAccepted)] = "TrialEnqueueAccepted",
        [typeof(ExtendSweep)] = "ExtendSweep",
        [typeof(SweepExtensionAccepted)] = "SweepExtensionAccepted",
        [typeof(GetExperiment)] = "GetExperiment",
        [typeof(ExperimentFound)] = "ExperimentFound",
        [typeof(GetPoints)] = "GetPoints",
        [typeof(SubscribeToSweep)] = "SubscribeToSweep",
        [typeof(SweepSubscribed)] = "SweepSubscribed",
        [typeof(SweepChanged)] = "SweepChanged",
        [typeof(PointsFound)] = "PointsFound",
        [typeof(Registry.RegisterModelVersion)] = "RegisterModelVersion",
        [typeof(Registry.PromoteModelVersion)] = "PromoteModelVersion",
        [typeof(Registry.ListModels)] = "ListModels",
        [typeof(Registry.GetModelVersion)] = "GetModelVersion",
        [typeof(Registry.ModelAnswer)] = "ModelAnswer",
        [typeof(ArchiveModel)] = "ArchiveModel",
        [typeof(ModelArchived)] = "ModelArchived",
        [typeof(ReadModelFile)] = "ReadModelFile",
        [typeof(FingerprintData)] = "FingerprintData",
        [typeof(DataFingerprinted)] = "DataFingerprinted",
    }.ToFrozenDictionary();

    /// <summary>Manifests that are read and no longer written: what earlier releases stored a type under.</summary>
    public static readonly FrozenDictionary<string, Type> FormerManifests = new Dictionary<string, Type>
    {
        // Snapshots from v1 until trials.jsonl: the same record, each running sweep in it holding every trial.
        ["CoordinatorSnapshot"] = typeof(CoordinatorSnapshot),
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, Type> TypesByManifest =
        Manifests.Select(m => KeyValuePair.Create(m.Value, m.Key)).Concat(FormerManifests).ToFrozenDictionary();

    /// <summary>The types bound to this serializer: the remote messages, the journal events and the snapshot.</summary>
    public static readonly Type[] BoundTypes = [typeof(ISweepMessage), typeof(ISweepEvent), typeof(Core.Models.IModelEvent), typeof(CoordinatorSnapshot)];

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new System.Runtime.Serialization.SerializationException($"{o.GetType().Name} has no manifest: add it to SweepMessageSerializer.Manifests");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        TypesByManifest.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Options)!
            : throw new System.Runtime.Serialization.SerializationException($"unknown sweep message type '{manifest}'");
}
