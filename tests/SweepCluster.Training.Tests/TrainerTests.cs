using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Training.Data;
using SweepCluster.Training.Trainers;
using TorchSharp;

namespace SweepCluster.Training.Tests;

public class TrainerTests
{
    private static TrainingRequest Request(string trainer, params string[] settings) =>
        new(trainer, SmallData.Params(settings), Seed: 42, SmallData.Showers);

    [Test]
    public void A_network_that_predicts_one_class_for_every_test_shower_is_called_suspect()
    {
        Assert.That(NetworkTrainer.ConstantClassifier(new BinaryConfusion(0, 40, 0, 60)),
            Is.EqualTo("it predicted proton for every one of the 100 test showers: a constant classifier, whatever its scores say"), "its F1 here is 0.75");
        Assert.That(NetworkTrainer.ConstantClassifier(new BinaryConfusion(40, 0, 60, 0)), Does.StartWith("it predicted iron for every one"));
        Assert.That(NetworkTrainer.ConstantClassifier(new BinaryConfusion(39, 1, 60, 0)), Is.Null, "one shower called proton: not constant");
    }

    [TestCase("convnet", "out_channels=[4,6]")]
    [TestCase("cae", "first_conv_out_channels=4", "depth=3", "latent_size=16", "reg=0.01")]
    [TestCase("resnet", "number_of_blocks=[1,1,1,1]", "num_channels=[8,16,16,32,32]", "reg=0.0001")]
    [TestCase("vae", "autoencoder_sizes=[200,100,50,10]", "reg=0.01")]
    public void Each_network_trains_and_reports_whole_set_metrics(string trainer, params string[] specific)
    {
        var epochs = new List<EpochReport>();
        var result = ShowerTrainer.Train(Request(trainer, ["epochs=2", "bs=32", "lr=0.001", "optimizer=adam", "normalize=yes", .. specific]), epochs.Add);
        Assert.That(result.Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(epochs, Is.EqualTo(result.Epochs), "the callback saw every epoch");
        Assert.That(result.Metrics.Keys, Is.EquivalentTo(new[] { "train_acc", "test_acc", "train_f1", "test_f1" }));
        Assert.That(result.Metrics.Values, Has.All.InRange(0.0, 1.0));
        Assert.That(result.TestConfusion.Total, Is.EqualTo(SmallData.Showers.Test.Count));
        Assert.That(result.TrainConfusion.Total, Is.EqualTo(SmallData.Showers.Train.Count));
        Assert.That(result.Metrics["test_f1"], Is.EqualTo(result.TestConfusion.F1));
        Assert.That(result.Epochs, Has.All.Matches<EpochReport>(e => double.IsFinite(e.TrainLoss) && e.Samples == SmallData.Showers.Train.Count));
    }

    [TestCase("cae", "depth: 7 halvings leave a 1x1 code of a 80x80 image; at most 6 fit", "first_conv_out_channels=2", "depth=7", "latent_size=8", "reg=0.1")]
    [TestCase("convnet", "out_channels: needs a list of 2 whole numbers (got [4, 6, 8])", "out_channels=[4,6,8]")]
    [TestCase("resnet", "num_channels: needs a list of 5 whole numbers", "number_of_blocks=[1,1,1,1]", "num_channels=[8,16,32]", "reg=0")]
    [TestCase("vae", "autoencoder_sizes[2]: needs a whole number >= 1 (got 0)", "autoencoder_sizes=[20,10,0,5]", "reg=0")]
    [TestCase("convnet", "optimizer: needs one of 'adam', 'sgd' (got 'rmsprop')", "out_channels=[4,6]", "optimizer=rmsprop")]
    [TestCase("convnet", "lr: needs a number > 0 (got -0.1)", "out_channels=[4,6]", "lr=-0.1")]
    [TestCase("convnet", "device cuda:0 is not available here (CUDA devices: none)", "out_channels=[4,6]", "device=cuda:0")]
    public void An_invalid_configuration_fails_before_training(string trainer, string message, params string[] specific)
    {
        var settings = new Dictionary<string, string> { ["epochs"] = "1", ["bs"] = "32", ["lr"] = "0.001", ["optimizer"] = "adam", ["normalize"] = "no" };
        string? device = null;
        foreach (var s in specific)
        {
            var (key, value) = (s[..s.IndexOf('=')], s[(s.IndexOf('=') + 1)..]);
            if (key == "device") device = value;
            else settings[key] = value;
        }
        var request = Request(trainer, [.. settings.Select(kv => $"{kv.Key}={kv.Value}")]) with { Device = device ?? "cpu" };
        var epochs = 0;
        var error = Assert.Throws<InvalidTrialException>(() => ShowerTrainer.Train(request, _ => epochs++))!;
        Assert.That(error.Message, Does.Contain(message));
        Assert.That(epochs, Is.Zero);
    }

    /// <summary>A conditional space's branch: <c>optimizer: {name: ..., lr: ..., momentum: ...}</c>.</summary>
    private static TrainingRequest WithOptimizer(params (string Key, ParamValue Value)[] branch)
    {
        var rest = SmallData.Params([.. SmallData.ConvNet.Where(s => !s.StartsWith("optimizer", StringComparison.Ordinal) && !s.StartsWith("lr", StringComparison.Ordinal))]);
        var optimizer = new ParamValue.Map([.. branch.Select(b => KeyValuePair.Create(b.Key, b.Value))]);
        return Request("convnet") with { Params = new ParamValue.Map([.. rest.Entries, KeyValuePair.Create("optimizer", (ParamValue)optimizer)]) };
    }

    [Test]
    public void An_optimizer_branch_brings_its_own_learning_rate_and_momentum()
    {
        var name = ("name", (ParamValue)new ParamValue.Text("sgd"));
        var lr = ("lr", (ParamValue)new ParamValue.Real(0.01));
        var plain = ShowerTrainer.Train(WithOptimizer(name, lr));
        var withMomentum = ShowerTrainer.Train(WithOptimizer(name, lr, ("momentum", new ParamValue.Real(0.9))));
        Assert.That(withMomentum.Epochs.Select(e => e.TrainLoss), Has.All.Matches<double>(double.IsFinite));
        Assert.That(withMomentum.Epochs[^1].TrainLoss, Is.Not.EqualTo(plain.Epochs[^1].TrainLoss), "momentum reaches the SGD optimizer");
        var adam = WithOptimizer(("name", new ParamValue.Text("adam")), lr, ("momentum", new ParamValue.Real(0.9)));
        Assert.That(() => ShowerTrainer.Train(adam), Throws.TypeOf<InvalidTrialException>().With.Message.StartsWith("optimizer.momentum: only sgd takes a momentum"));
        var badLr = WithOptimizer(name, ("lr", new ParamValue.Real(-1)));
        Assert.That(() => ShowerTrainer.Train(badLr), Throws.TypeOf<InvalidTrialException>().With.Message.EqualTo("optimizer.lr: needs a number > 0 (got -1)"));
    }

    [Test]
    public void The_same_seed_gives_identical_metrics_run_to_run()
    {
        var a = ShowerTrainer.Train(Request("convnet", SmallData.ConvNet));
        var b = ShowerTrainer.Train(Request("convnet", SmallData.ConvNet));
        Assert.That(b.Epochs.Select(e => e.TrainLoss), Is.EqualTo(a.Epochs.Select(e => e.TrainLoss)));
        Assert.That(b.Metrics, Is.EqualTo(a.Metrics));
        var other = ShowerTrainer.Train(Request("convnet", SmallData.ConvNet) with { Seed = 43 });
        Assert.That(other.Epochs.Select(e => e.TrainLoss), Is.Not.EqualTo(a.Epochs.Select(e => e.TrainLoss)));
    }

    [TestCase("convnet")]
    [TestCase("vae")]
    public void A_resumed_run_ends_as_an_uninterrupted_one(string trainer)
    {
        string[] settings = trainer == "vae"
            ? ["epochs=3", "bs=32", "lr=0.001", "optimizer=adam", "normalize=yes", "autoencoder_sizes=[100,50,20,8]", "reg=0.01"]
            : [.. SmallData.ConvNet.Where(s => !s.StartsWith("epochs", StringComparison.Ordinal)), "epochs=3"];
        var uninterrupted = ShowerTrainer.Train(Request(trainer, settings));
        var checkpoints = Directory.CreateTempSubdirectory("checkpoint-").FullName;
        try
        {
            var request = Request(trainer, settings) with { CheckpointDirectory = checkpoints };
            using var stop = new CancellationTokenSource();
            Assert.Throws<OperationCanceledException>(() => ShowerTrainer.Train(request, e =>
            {
                if (e.Epoch == 1) stop.Cancel();
            }, stop.Token));
            var resumedEpochs = new List<int>();
            var resumed = ShowerTrainer.Train(request, e => resumedEpochs.Add(e.Epoch));
            Assert.That(resumedEpochs, Is.EqualTo(new[] { 2, 3 }), "training went on after the checkpointed epoch");
            Assert.That(resumed.Epochs.Select(e => e.TrainLoss), Is.EqualTo(uninterrupted.Epochs.Select(e => e.TrainLoss)));
            Assert.That(resumed.Metrics, Is.EqualTo(uninterrupted.Metrics));
        }
        finally
        {
            Directory.Delete(checkpoints, recursive: true);
        }
    }

    [Test]
    public void A_checkpoint_of_another_trial_is_refused()
    {
        var checkpoints = Directory.CreateTempSubdirectory("checkpoint-").FullName;
        try
        {
            ShowerTrainer.Train(Request("convnet", SmallData.ConvNet) with { CheckpointDirectory = checkpoints });
            var other = Request("convnet", [.. SmallData.ConvNet.Where(s => !s.StartsWith("lr", StringComparison.Ordinal)), "lr=0.01"]) with { CheckpointDirectory = checkpoints };
            Assert.That(() => ShowerTrainer.Train(other), Throws.TypeOf<InvalidTrialException>().With.Message.Contains("written by another trial"));
        }
        finally
        {
            Directory.Delete(checkpoints, recursive: true);
        }
    }

    [Test]
    public void Native_tensor_count_stays_flat_over_many_batches()
    {
        var live = new List<long>();
        ShowerTrainer.Train(Request("convnet", ["epochs=6", "bs=8", "lr=0.001", "optimizer=adam", "out_channels=[4,6]", "normalize=yes"]),
            _ => live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount));
        Assert.That(live, Has.Count.EqualTo(6), "24 batches an epoch, 144 in all");
        Assert.That(live.Skip(1), Has.All.EqualTo(live[1]), "no tensor outlives its batch once the optimizer state exists");
    }

    [Test]
    public void A_diverging_configuration_fails_with_the_epoch()
    {
        var request = Request("convnet", ["epochs=3", "bs=32", "lr=1e12", "optimizer=sgd", "out_channels=[4,6]", "normalize=no"]);
        var error = Assert.Throws<TrainingDivergedException>(() => ShowerTrainer.Train(request))!;
        Assert.That(error.Message, Does.StartWith("the training loss became NaN in epoch"));
    }

    [TestCase(10_000, 33, 303, 34)] // the default set at bs 33: 10,000 = 303 x 33 + 1
    [TestCase(67, 33, 2, 34)]
    [TestCase(66, 33, 2, 33)]
    [TestCase(5, 33, 1, 5)]
    public void A_last_batch_of_one_sample_is_folded_into_the_one_before(int count, int batchSize, int batches, int last)
    {
        var cut = TrainingBatches.Of(count, batchSize).ToList();
        Assert.That((cut.Count, cut[^1].Length), Is.EqualTo((batches, last)));
        Assert.That(cut.SelectMany(b => Enumerable.Range(b.Start, b.Length)), Is.EqualTo(Enumerable.Range(0, count)), "every sample once, in order");
    }

    [Test]
    public void A_set_of_10000_showers_at_batch_size_33_trains_and_predicts_both_classes()
    {
        // Before the fold, the last batch of one sample made batch norm's running variance NaN, and test_f1 a silent 0.
        var data = new ShowerData(Data.ShowerGenerator.Generate(10_000, 8, "train"), SmallData.Showers.Test);
        var result = ShowerTrainer.Train(new TrainingRequest("convnet", SmallData.Params("epochs=1", "bs=33", "lr=0.002", "optimizer=adam", "out_channels=[4,6]", "normalize=yes"),
            Seed: 42, data));
        var test = result.TestConfusion;
        Assert.That(test.TruePositives + test.FalsePositives, Is.InRange(1, test.Total - 1), "not one class for everything");
        Assert.That(result.Metrics["test_f1"], Is.GreaterThan(0.5));
    }

    [Test]
    public void Outputs_that_are_not_numbers_fail_the_trial_as_diverged_instead_of_predicting_one_class()
    {
        // bs 1: batch norm in training mode sees one sample in every batch, and its running variance becomes NaN.
        var request = Request("convnet", ["epochs=1", "bs=1", "lr=0.001", "optimizer=adam", "out_channels=[4,6]", "normalize=no"]);
        var error = Assert.Throws<TrainingDivergedException>(() => ShowerTrainer.Train(request))!;
        Assert.That((error.Message, error.Epoch), Is.EqualTo(("the network's outputs became NaN in epoch 1", 1)));
    }

    [Test]
    [Category(Peers.Category)]
    public void Artifacts_hold_loadable_weights_and_both_confusion_matrices()
    {
        var dir = Directory.CreateTempSubdirectory("artifacts-").FullName;
        try
        {
            var result = ShowerTrainer.Train(Request("convnet", SmallData.ConvNet) with { ArtifactDirectory = dir });
            Assert.That(result.Artifacts.Keys, Is.EquivalentTo(new[] { "weights", "model", "confusion_json", "confusion_png" }));
            Assert.That(Models.ModelDescription.Read(dir).Network, Is.EqualTo("convnet"), "model.json says what the weights are");
            using var model = new Models.ConvNet(4, 6, 80);
            Assert.DoesNotThrow(() => model.load(result.Artifacts["weights"]));
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(result.Artifacts["confusion_json"]));
            foreach (var part in new[] { "train", "test" })
                foreach (var row in json.RootElement.GetProperty(part).EnumerateArray())
                    Assert.That(row.EnumerateArray().Sum(v => v.GetDouble()), Is.EqualTo(1).Within(1e-12));
            var png = File.ReadAllBytes(result.Artifacts["confusion_png"]);
            Assert.That(png[..8], Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
            var size = Peers.RunPython("import sys, zlib, struct\nb = open(sys.argv[1], 'rb').read()\nprint(struct.unpack('>II', b[16:24]))", result.Artifacts["confusion_png"]);
            Assert.That(size.Trim(), Is.EqualTo("(304, 160)"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
