using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Akka.Actor;
using SweepCluster.Cluster.Coordinator;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Cluster.Worker;
using SweepCluster.Core.Results;
using SweepCluster.Core.Scheduling;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;
using SweepCluster.Core.Trials;

namespace SweepCluster.Cluster.Tests;

public class SerializerTests
{
    private static readonly ParamValue.Map Params = new(
    [
        KeyValuePair.Create("bs", (ParamValue)new ParamValue.Int(128)),
        KeyValuePair.Create("lr", (ParamValue)new ParamValue.Real(0.002)),
        KeyValuePair.Create("whole_real", (ParamValue)new ParamValue.Real(5.0)),
        KeyValuePair.Create("optimizer", (ParamValue)new ParamValue.Text("adam")),
        KeyValuePair.Create("out_channels", (ParamValue)new ParamValue.List([new ParamValue.Int(14), new ParamValue.Int(18)])),
        KeyValuePair.Create("nested", (ParamValue)new ParamValue.Map([KeyValuePair.Create("on", (ParamValue)new ParamValue.Bool(true)), KeyValuePair.Create("none", (ParamValue)ParamValue.Null.Instance)])),
    ]);

    private static readonly DateTimeOffset At = new(2026, 11, 27, 18, 0, 0, TimeSpan.Zero);
    private static readonly EpochPoint Point = new(2, 0.31, 0.97, 12.5);
    private static readonly ImmutableDictionary<string, double> Metrics = ImmutableDictionary<string, double>.Empty.Add("test_f1", 0.97).Add("test_acc", 0.96);
    private static readonly TrialSnapshot Trial = new(3, TrialStatus.Running, 1, 99, Params, Metrics, [Point], "akka.tcp://sweep@127.0.0.1:4053", "cuda:0", At, 1.5, null, "/runs/x/trial-0003", ["attempt 1: worker lost"]);
    private static readonly TrialSnapshot StoredTrial = new(3, TrialStatus.Running, 1, 99, Params, Metrics, [Point], "akka.tcp://sweep@127.0.0.1:4053", "cuda:0", At, 1.5, null, "/runs/x/trial-0003", ["attempt 1: worker lost"]);
    private static readonly SweepSnapshot Sweep = new("ab12cd34", "Simple CNN", SweepStatus.Running, new MetricSpec("test_f1", MetricDirection.Maximize),
        10, 6, [Trial], "no worker offers gpu", At, null, "/runs/x");

    private static readonly ConfirmationPlan Plan = new("ab12cd34", 5, [new ConfirmedConfiguration(3, 0.97, Params), new ConfirmedConfiguration(1, 0.95, Params)]);

    /// <summary>One example of every type the serializer writes: messages between nodes, journal events, the snapshot.</summary>
    private static readonly Core.Models.ModelVersionRegistered Registered = new("showers", 2, "ab12cd34", 3, "akka.tcp://sweep@127.0.0.1:4053",
        "showers/simple-cnn-ab12cd34-trial-0003", [new Core.Models.ModelFile("model.dat", 1024, new string('a', 64))], "test_f1",
        ImmutableSortedDictionary<string, double>.Empty.Add("test_f1", 0.97), "# showers\n", At);

    private static readonly Dictionary<Type, object> Examples = new object[]
    {
        Registered,
        new Core.Models.ModelVersionPromoted("showers", 2, Core.Models.ModelStage.Production, At),
        new Registry.RegisterModelVersion("showers", "ab12cd34", 3, "akka.tcp://sweep@127.0.0.1:4053", "showers/x", Registered.Files, "test_f1", Registered.Metrics, "# showers\n"),
        new Registry.PromoteModelVersion("showers", 2, Core.Models.ModelStage.Staging),
        new Registry.ListModels(),
        new Registry.GetModelVersion("showers@production"),
        new Registry.ModelAnswer(new Core.Models.ModelVersion(Registered, Core.Models.ModelStage.Production, At), [new Core.Models.ModelVersion(Registered, Core.Models.ModelStage.None, At)], null),
        new ArchiveModel("simple-cnn-ab12cd34/trial-0003", "showers"),
        new ModelArchived("showers/simple-cnn-ab12cd34-trial-0003", Registered.Files, null),
        new ReadModelFile("showers/simple-cnn-ab12cd34-trial-0003", "model.dat", 49152),
        new FingerprintData("/data/swgo"),
        new DataFingerprinted("/data/swgo", new Core.Files.DataFingerprint("/data/swgo", new string('b', 64), 2, 1024)),
        new SubmitSweep("name: x\n", "x.yml", 5, 7, "renamed", 3, WarmStart: ["1a2b3c4d", "runs/simple-cnn-5e6f7a8b"], CodeDirectory: "/home/me/project"),
        new SweepAccepted("ab12cd34", 10, new WarmStartSummary(["1a2b3c4d"], 12, 1, ["trial 4 of 1a2b3c4d: it has no value for momentum"])),
        new SweepRejected(["param_space.lr: loguniform needs lo > 0 (got 0) at x.yml:4:7"]),
        new CancelSweep("ab12cd34"),
        new SweepCancelAccepted("ab12cd34", true, "stopping"),
        new RegisterWorker("akka.tcp://sweep@127.0.0.1:4054", [0, 1], 4, [new RunningAttempt("ab12cd34", 3, 2, 1.5)], GpuTrialsOnCpu: true, LeavesAt: At),
        new ReportTrialProgress("ab12cd34", 3, 1, Point, 10000),
        new ReportEpochProgress("ab12cd34", 3, 1, new EpochProgress(2, 4096, 10000, 850.5)),
        new ReportTrialEnded("ab12cd34", 3, 1, TrialStatus.Failed, Metrics, "the training loss became NaN in epoch 2", 60.5, "/runs/x/trial-0003", true, 2),
        new ForgetTrialEnd("ab12cd34", 3, 1),
        new GetSweep("ab12cd34"),
        new SweepFound(Sweep),
        new ListSweeps(50, 50),
        new SweepsListed([SweepOverview.Of(Sweep)], 120),
        new GetSweepStatus("ab12cd34"),
        new SubscribeToSweep("ab12cd34"),
        new SweepSubscribed("ab12cd34"),
        new SweepChanged("ab12cd34"),
        new SweepStatusFound(SweepOverview.Of(Sweep), [Trial], [Trial], 7),
        new GetTrials("ab12cd34", TrialStatus.Completed, 500, 100),
        new TrialsFound(SweepOverview.Of(Sweep), [TrialDocument.Of(Trial)], 1200, "sweep.json cannot be read"),
        new GetTrial("ab12cd34", 3),
        new TrialFound(SweepOverview.Of(Sweep), TrialDocument.Of(Trial), null),
        new ListArtifacts("simple-cnn-ab12cd34/trial-0003"),
        new ArtifactsListed("/store/runs/simple-cnn-ab12cd34/trial-0003", [new ArtifactFile("trial.json", 812), new ArtifactFile("plots/confusion.png", 20480)], null),
        new ReadArtifact("simple-cnn-ab12cd34/trial-0003", "plots/confusion.png", 49152),
        new ArtifactRead([0, 1, 2, 255], true, null),
        new ConfirmSweep("ab12cd34", 3, 5, "token-2"),
        new GetConfirmation("cd34ab12"),
        new ConfirmationFound(SweepOverview.Of(Sweep) with { Header = SweepHeader.Of(Sweep) with { Confirms = Plan.Summary() } },
            ConfirmationVerdict.Of(Plan, new MetricSpec("test_f1", MetricDirection.Maximize, MetricReport.Best), [(0, TrialStatus.Completed, Metrics), (1, TrialStatus.Failed, Metrics)]),
            null),
        new GetWorkers(),
        new WorkersListed([new WorkerSnapshot("akka.tcp://sweep@127.0.0.1:4054", [0], 2, 1, ImmutableDictionary<int, double>.Empty.Add(0, 0.5), ["ab12cd34/3#1 on cuda:0"], 7)]),
        new StartTrial("ab12cd34", 3, 1, "train.py", Params, 99, "cuda:0", 5, 3600, "/runs/x/trial-0003",
            Command: new CommandJob(["train.py", "python3 eval.py --lr {{lr}}"], "/home/me/project", "test_f1", "data", [0, 1], new string('c', 64))),
        new CancelTrial("ab12cd34", 3, 1),
        new Cluster.Code.ReadCode(new string('a', 64), 49152),
        new Cluster.Code.CodeRead([80, 75, 3, 4], 1024, null),
        new Cluster.Journal.HoldLease("sweep-split-brain", "akka.tcp://sweep@10.0.0.5:4053", 20),
        new Cluster.Journal.ReleaseLease("sweep-split-brain", "akka.tcp://sweep@10.0.0.5:4053"),
        new Cluster.Journal.LeaseAnswered(false, "database is locked"),
        new Cluster.Journal.GetJournalIdentity(),
        new Cluster.Journal.JournalIdentified("5f0c8a5e2b9d4c3f8e1a7b6c5d4e3f21", "/srv/sweep/store/journal.db", null),
        new SweepSubmitted("ab12cd34", "Simple CNN", "name: x\n", "x.yml", 10, 2342, null, false, "/runs/x", At, WarmStart: new WarmStartReport(["1a2b3c4d"],
            [new WarmTrial("1a2b3c4d", 3, new ParamValue.Map([KeyValuePair.Create("lr", (ParamValue)new ParamValue.Real(0.002))]), 0.91)], 1,
            ["trial 4 of 1a2b3c4d: lr=0.5 is not a value of loguniform(0.0001, 0.01)"]), CodeDirectory: "/home/me/project", CodePackage: new string('c', 64)),
        new TrialPlanned("ab12cd34", 3, 99, Params),
        new TrialStarted("ab12cd34", 3, 1, "worker", "node", "cuda:1", [1], At),
        new TrialProgressed("ab12cd34", 3, 1, Point),
        new TrialCompleted("ab12cd34", 3, 1, Metrics, 60.5, "/runs/x/trial-0003", At),
        new TrialFailed("ab12cd34", 3, 1, "the training loss became NaN in epoch 2", 12, At),
        new TrialRequeued("ab12cd34", 3, 1, "the training loss became NaN in epoch 2", 2),
        new TrialReleased("ab12cd34", 3, 1, "released: its worker left the cluster"),
        new TrialEnqueued("ab12cd34", ImmutableDictionary<string, ParamValue>.Empty.Add("lr", new ParamValue.Real(0.002)).Add("bs", new ParamValue.Int(128))),
        new EnqueueTrial("ab12cd34", ImmutableDictionary<string, string>.Empty.Add("lr", "0.002")),
        new TrialEnqueueAccepted("ab12cd34", 1),
        new SweepExtended("ab12cd34", 20, 30, At, new SweepSubmitted("ab12cd34", "Simple CNN", "name: x\n", "x.yml", 20, 2342, null, false, "/runs/x", At)),
        new ExtendSweep("ab12cd34", 10, "/runs/simple-cnn-ab12cd34"),
        new SweepExtensionAccepted("ab12cd34", 20, 30),
        new GetExperiment("ab12cd34"),
        new ExperimentFound("name: x\n", "x.yml", "/home/me/project"),
        new GetPoints("ab12cd34", 500),
        new PointsFound(SweepOverview.Of(Sweep), [new TrialPoint(3, TrialStatus.Completed, 0.91, StoredTrial.Params)], 10),
        new CoordinatorSnapshot([new SweepMemento(new SweepSubmitted("ab12cd34", "Simple CNN", "name: x\n", "x.yml", 10, 2342, null, false, "/runs/x", At),
            SweepStatus.Running, null, false, [new TrialMemento(StoredTrial, "akka.tcp://sweep@127.0.0.1:4054/user/sweep-worker", [0], 2)], [4, 5], [3])],
            [
                new FinishedSweepMemento(SweepHeader.Of(Sweep), StoredTrial, [StoredTrial], 7, "token-1",
                    new SweepSubmitted("cd34ab12", "Simple CNN (confirm)", "name: x\n", "x.yml", 10, 2342, 3, true, "/runs/y", At, "token-2", Plan)),
            ]),
        new TrialPruned("ab12cd34", 3, 1, 2, 0.61, At),
        new TrialCancelled("ab12cd34", 3, At),
        new SweepCancelled("ab12cd34", At, "its first 3 trials all failed the same way, so the others would too: reported no score"),
    }.ToDictionary(m => m.GetType());

    /// <summary>Every type bound to the serializer, found in the assemblies that define them.</summary>
    private static IEnumerable<Type> MessageTypes() => SweepMessageSerializer.BoundTypes.SelectMany(bound => bound.Assembly.GetTypes()
        .Where(t => bound.IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })).Distinct();

    /// <summary>
    /// The manifests are a contract with every stored journal: this list may only grow. A rename of a type must keep its
    /// manifest; an incompatible change of a stored shape takes a new manifest and keeps a reader for the old one.
    /// </summary>
    private static readonly string[] PublishedManifests =
    [
        "SweepSubmitted", "TrialPlanned", "TrialStarted", "TrialProgressed", "TrialCompleted", "TrialFailed", "TrialPruned", "TrialRequeued",
        "TrialCancelled", "SweepCancelled", "CoordinatorSnapshot", "SubmitSweep", "SweepAccepted", "SweepRejected", "CancelSweep",
        "SweepCancelAccepted", "RegisterWorker", "ReportTrialProgress", "ReportTrialEnded", "GetSweep", "SweepFound", "ListSweeps",
        "SweepsListed", "GetWorkers", "WorkersListed", "StartTrial", "CancelTrial", "ForgetTrialEnd", "GetSweepStatus", "SweepStatusFound", "GetTrials",
        "TrialsFound", "GetTrial", "TrialFound", "ListArtifacts", "ArtifactsListed", "ReadArtifact", "ArtifactRead",
        "ConfirmSweep", "GetConfirmation", "ConfirmationFound", "TrialReleased", "TrialEnqueued", "EnqueueTrial", "TrialEnqueueAccepted",
        "SweepExtended", "ExtendSweep", "SweepExtensionAccepted", "GetExperiment", "ExperimentFound", "GetPoints", "PointsFound",
        "CoordinatorSnapshot2", "ReadCode", "CodeRead", "HoldLease", "ReleaseLease", "LeaseAnswered", "GetJournalIdentity", "JournalIdentified",
        "ReportEpochProgress", "ModelVersionRegistered", "ModelVersionPromoted", "RegisterModelVersion", "PromoteModelVersion", "ListModels",
        "GetModelVersion", "ModelAnswer", "ArchiveModel", "ModelArchived", "ReadModelFile", "FingerprintData", "DataFingerprinted",
        "SubscribeToSweep", "SweepSubscribed", "SweepChanged",
    ];

    [TestCaseSource(nameof(MessageTypes))]
    public void Every_serialized_type_has_a_published_manifest(Type type)
    {
        Assert.That(SweepMessageSerializer.Manifests.TryGetValue(type, out var manifest), $"{type.Name} is serialized: give it a manifest");
        Assert.That(PublishedManifests, Does.Contain(manifest), $"{type.Name}'s manifest '{manifest}' is new: add it to the published list");
    }

    [Test]
    public void No_published_manifest_is_dropped_or_given_to_two_types()
    {
        Assert.That(SweepMessageSerializer.Manifests.Values.Concat(SweepMessageSerializer.FormerManifests.Keys), Is.EquivalentTo(PublishedManifests));
    }

    [TestCaseSource(nameof(MessageTypes))]
    public void Every_message_round_trips(Type type)
    {
        Assert.That(Examples.ContainsKey(type), $"{type.Name} crosses nodes: add an example here");
        using var system = ActorSystem.Create("serializer-test");
        var serializer = new SweepMessageSerializer((ExtendedActorSystem)system);
        var message = Examples[type];
        var bytes = serializer.ToBinary(message);
        var back = serializer.FromBinary(bytes, serializer.Manifest(message));
        Assert.That(back, Is.TypeOf(type));
        Assert.That(serializer.ToBinary(back), Is.EqualTo(bytes), "nothing lost: the copy serializes to the same bytes");
    }

    [Test]
    public void Parameter_values_keep_their_kinds()
    {
        using var system = ActorSystem.Create("serializer-test");
        var serializer = new SweepMessageSerializer((ExtendedActorSystem)system);
        var start = Examples[typeof(StartTrial)];
        var back = (StartTrial)serializer.FromBinary(serializer.ToBinary(start), nameof(StartTrial));
        Assert.That(back.Params, Is.EqualTo(Params), "5.0 stays a real, 128 an integer, lists and maps as they were");
    }

    [Test]
    public void Journals_and_snapshots_written_before_confirmations_read_back()
    {
        using var system = ActorSystem.Create("serializer-test");
        var serializer = new SweepMessageSerializer((ExtendedActorSystem)system);
        T Older<T>(T message, params string[] newFields) where T : notnull
        {
            var json = JsonNode.Parse(serializer.ToBinary(message))!;
            foreach (var field in newFields)
            {
                Assert.That(json.ToJsonString(), Does.Contain($"\"{field}\":"), "the field is written today");
                Remove(json, field);
            }
            return (T)serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), serializer.Manifest(message));
        }
        var submitted = Older(new SweepSubmitted("ab12cd34", "Simple CNN", "name: x\n", "x.yml", 10, 2342, null, false, "/runs/x", At, "token-1"), "Confirms");
        Assert.That((submitted.Confirms, submitted.ClientToken), Is.EqualTo(((ConfirmationPlan?)null, "token-1")));
        var snapshot = Older(new CoordinatorSnapshot([], [new FinishedSweepMemento(SweepHeader.Of(Sweep), StoredTrial, [], 0, "token-1")]), "Submitted");
        var finished = FinishedSweep.FromMemento(snapshot.Finished!.Value.Single());
        Assert.That((finished.Submitted, finished.ClientToken, finished.Overview.Header.Metric), Is.EqualTo(((SweepSubmitted?)null, "token-1", Sweep.Metric)));
        Assert.That(Older(new SweepCancelled("ab12cd34", At, "it failed alike"), "Reason").Reason, Is.Null, "a cancel journalled before sweeps stopped themselves was a user's");
        Assert.That(Older(new TrialCompleted("ab12cd34", 1, 1, ImmutableDictionary<string, double>.Empty, 1, null, At, "suspect: flat"), "Suspect").Suspect, Is.Null,
            "a result journalled before suspects were named is not one");
    }

    [Test]
    public void A_snapshot_stored_under_its_former_manifest_is_read_as_one_that_holds_every_trial()
    {
        using var system = ActorSystem.Create("serializer-test");
        var serializer = new SweepMessageSerializer((ExtendedActorSystem)system);
        var snapshot = (CoordinatorSnapshot)Examples[typeof(CoordinatorSnapshot)];
        Assert.That(serializer.Manifest(snapshot), Is.EqualTo("CoordinatorSnapshot2"));
        var json = JsonNode.Parse(serializer.ToBinary(snapshot))!;
        Remove(json, "ArchivedLength");
        Remove(json, "ArchivedIn");
        var former = (CoordinatorSnapshot)serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), "CoordinatorSnapshot");
        Assert.That(former.Sweeps.Select(s => (s.Trials.Length, s.ArchivedLength)), Is.EqualTo(snapshot.Sweeps.Select(s => (s.Trials.Length, (long?)null))));
    }

    /// <summary>Removes a field wherever it occurs, as a document written before the field existed lacks it.</summary>
    private static void Remove(JsonNode node, string field)
    {
        if (node is JsonObject obj)
        {
            obj.Remove(field);
            foreach (var child in obj.Select(p => p.Value).OfType<JsonNode>().ToList()) Remove(child, field);
        }
        else if (node is JsonArray array)
            foreach (var child in array.OfType<JsonNode>().ToList()) Remove(child, field);
    }

    [Test]
    public void An_unknown_manifest_is_refused_with_its_name()
    {
        using var system = ActorSystem.Create("serializer-test");
        var serializer = new SweepMessageSerializer((ExtendedActorSystem)system);
        Assert.That(() => serializer.FromBinary([], "NoSuchMessage"), Throws.Exception.With.Message.Contains("NoSuchMessage"));
    }
}
