using SweepCluster.Core.Planning;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Tests;

/// <summary>The four experiment files of the original study parse unchanged, into what they say.</summary>
public class SeedExperimentTests
{
    [TestCase("convnet.yml", "Simple CNN", "convnet", new[] { "bs", "lr", "optimizer", "out_channels[0]", "out_channels[1]", "normalize" })]
    [TestCase("cae.yml", "CAE", "cae", new[] { "lr", "reg", "bs", "first_conv_out_channels", "depth", "latent_size", "optimizer", "normalize" })]
    [TestCase("resnet.yml", "ResNet", "resnet", new[]
    {
        "lr", "reg", "bs", "number_of_blocks[0]", "number_of_blocks[1]", "number_of_blocks[2]", "number_of_blocks[3]",
        "num_channels[0]", "num_channels[1]", "num_channels[2]", "num_channels[3]", "num_channels[4]", "optimizer", "normalize",
    })]
    [TestCase("vae.yml", "VAE", "vae", new[]
    {
        "lr", "reg", "bs", "autoencoder_sizes[0]", "autoencoder_sizes[1]", "autoencoder_sizes[2]", "autoencoder_sizes[3]", "optimizer", "normalize",
    })]
    public void Seed_file_parses(string file, string name, string trainer, string[] dimensions)
    {
        var spec = ExperimentSpecParser.ParseFile(Specs.Experiment(file)).Spec;
        Assert.That(spec, Is.Not.Null);
        Assert.That(spec!.Name, Is.EqualTo(name));
        Assert.That(spec.Trainer, Is.EqualTo(trainer));
        Assert.That(spec.NumTrials, Is.EqualTo(1));
        Assert.That(spec.Sampler, Is.EqualTo(SamplerKind.Tpe), "SnapperML's default");
        Assert.That(spec.Pruner, Is.EqualTo(PrunerKind.Median), "SnapperML's default");
        Assert.That(spec.Resources, Is.EqualTo(new ResourceRequest(1.0, 1.0)));
        Assert.That(spec.MaxFailures, Is.EqualTo(3));
        Assert.That(spec.Metric, Is.EqualTo(new MetricSpec("test_f1", MetricDirection.Maximize)));
        Assert.That(spec.Params["epochs"], Is.EqualTo(new ParamValue.Int(5)));
        Assert.That(spec.Seed, Is.EqualTo(2342), "the sweep seed defaults to params.seed");
        Assert.That(spec.ParamSpace.Dimensions.Select(d => d.Path), Is.EqualTo(dimensions));
    }

    [Test]
    public void Convnet_dimensions_are_the_studys()
    {
        var spec = ExperimentSpecParser.ParseFile(Specs.Experiment("convnet.yml")).Spec!;
        var byPath = spec.ParamSpace.Dimensions.ToDictionary(d => d.Path, d => d.Distribution);
        Assert.That(byPath["bs"], Is.EqualTo(new RandInt(32, 256)));
        Assert.That(byPath["lr"], Is.EqualTo(new LogUniform(0.0001, 0.01)));
        Assert.That(byPath["optimizer"], Is.EqualTo(new Choice([new ParamValue.Text("adam"), new ParamValue.Text("sgd")])));
        Assert.That(byPath["out_channels[1]"], Is.EqualTo(new RandInt(2, 20)));
        Assert.That(TrialPlanner.TotalTrials(spec), Is.EqualTo(1));
    }
}
