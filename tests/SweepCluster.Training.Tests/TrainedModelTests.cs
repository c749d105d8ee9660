using SweepCluster.Training.Data;
using SweepCluster.Training.Inference;
using SweepCluster.Training.Models;

namespace SweepCluster.Training.Tests;

public class TrainedModelTests
{
    private string _folder = "";

    [SetUp]
    public void MakeFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), $"trained-{Guid.NewGuid():N}"));

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void A_trained_network_predicts_as_its_trial_evaluated_and_exports_weights_that_predict_the_same()
    {
        var trial = TrainedModels.Train("convnet", Path.Combine(_folder, "trial"));
        var description = ModelDescription.Read(trial);
        var stats = SmallData.Showers.Train.PixelStatistics;
        Assert.That(description.Normalization, Is.EqualTo(new PixelNormalization(stats.Mean, stats.Std)), "the training set's figures, not the test set's");
        Assert.That(description.Image, Is.EqualTo(new ImageShape(80, 80)));

        var test = SmallData.Showers.Test;
        using var native = TrainedModel.Load(trial);
        var probabilities = native.Probabilities(test);
        Assert.That(probabilities, Has.Length.EqualTo(test.Count * 2));
        for (var i = 0; i < test.Count; i++) Assert.That(probabilities[2 * i] + probabilities[2 * i + 1], Is.EqualTo(1f).Within(1e-5));

        native.ExportPyTorch(Path.Combine(_folder, "export"));
        Assert.That(File.Exists(Path.Combine(_folder, "export", TrainedModel.TorchSharpWeights)), Is.False);
        using var exported = TrainedModel.Load(Path.Combine(_folder, "export"));
        Assert.That(exported.Weights, Does.EndWith(TrainedModel.PyTorchWeights));
        Assert.That(exported.Probabilities(test), Is.EqualTo(probabilities), "the state_dict holds every weight and running statistic");
    }

    [Test]
    public void A_model_without_normalization_reads_raw_pixels()
    {
        var trial = TrainedModels.Train("vae", Path.Combine(_folder, "trial"), normalize: "no");
        Assert.That(ModelDescription.Read(trial).Normalization, Is.Null);
    }

    [TestCase("""{"format": 1, "network": "convnet", "architecture": {"out_channels": [4, 6]}, "image": {"height": 80, "width": 80}, "classes": ["iron", "proton"]""", "line 1: not a model description")]
    [TestCase("""{"format": 2, "network": "convnet", "architecture": {"out_channels": [4, 6]}, "image": {"height": 80, "width": 80}, "classes": ["iron", "proton"]}""", "format 2 is not one this release reads")]
    [TestCase("""{"format": 1, "network": "lenet", "architecture": {}, "image": {"height": 80, "width": 80}, "classes": ["iron", "proton"]}""", "no network is called 'lenet'")]
    [TestCase("""{"format": 1, "network": "convnet", "architecture": {"out_channels": [4]}, "image": {"height": 80, "width": 80}, "classes": ["iron", "proton"]}""", "architecture.out_channels: needs a list of 2 whole numbers")]
    [TestCase("""{"format": 1, "network": "convnet", "architecture": {"out_channels": [4, 6]}, "image": {"height": 80, "width": 1000000}, "classes": ["iron", "proton"]}""", "image: 80x1000000 is not an image size")]
    [TestCase("""{"format": 1, "network": "convnet", "architecture": {"out_channels": [4, 6]}, "image": {"height": 80, "width": 80}, "normalization": {"mean": 0, "std": 0}, "classes": ["iron", "proton"]}""", "std above 0")]
    [TestCase("""{"format": 1, "network": "convnet", "architecture": {"out_channels": [4, 6]}, "image": {"height": 80, "width": 80}, "classes": ["iron"]}""", "classes: the networks classify 2 classes")]
    [TestCase("""{"format": 1, "network": "convnet"}""", "needs format, network, architecture, image and classes")]
    [TestCase("[1, 2]", "not a model description")]
    public void A_hostile_model_json_is_refused_naming_the_file_and_what_is_wrong(string json, string expected)
    {
        File.WriteAllText(Path.Combine(_folder, ModelDescription.FileName), json);
        var error = Assert.Throws<ModelFileException>(() => TrainedModel.Load(_folder))!;
        Assert.That(error.Message, Does.StartWith(Path.Combine(_folder, ModelDescription.FileName) + ": ").And.Contain(expected));
    }

    [Test]
    public void Weights_that_are_missing_corrupt_or_of_another_shape_are_refused()
    {
        Assert.That(Assert.Throws<ModelFileException>(() => TrainedModel.Load(_folder))!.Message, Does.Contain("model.json").And.Contain("not found"));

        var trial = TrainedModels.Train("convnet", Path.Combine(_folder, "trial"));
        var weights = Path.Combine(trial, TrainedModel.TorchSharpWeights);
        var good = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, good[..(good.Length / 2)]);
        Assert.That(Assert.Throws<ModelFileException>(() => TrainedModel.Load(trial))!.Message, Does.StartWith(weights).And.Contain("cannot be loaded as the convnet"));

        File.WriteAllBytes(weights, good);
        File.WriteAllText(Path.Combine(trial, ModelDescription.FileName),
            File.ReadAllText(Path.Combine(trial, ModelDescription.FileName)).Replace("6\n", "7\n", StringComparison.Ordinal));
        Assert.That(Assert.Throws<ModelFileException>(() => TrainedModel.Load(trial))!.Message, Does.Contain("cannot be loaded as the convnet"), "model.json says 7 channels, the weights hold 6");

        File.Delete(weights);
        Assert.That(Assert.Throws<ModelFileException>(() => TrainedModel.Load(trial))!.Message, Does.Contain("holds neither model.dat"));
    }

    [Test]
    public void Images_of_another_size_are_refused_naming_the_file()
    {
        var trial = TrainedModels.Train("convnet", Path.Combine(_folder, "trial"));
        using var model = TrainedModel.Load(trial);
        var small = new ShowerSet("small.h5", 40, 40, new float[2 * 40 * 40], [0, 1], new Dictionary<string, double[]>());
        Assert.That(Assert.Throws<DataFileException>(() => model.Probabilities(small))!.Message, Is.EqualTo("small.h5: images are 40x40; the model reads 80x80"));
    }
}
