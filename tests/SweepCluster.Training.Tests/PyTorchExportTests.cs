using System.Globalization;
using SweepCluster.Training.Data;
using SweepCluster.Training.Inference;

namespace SweepCluster.Training.Tests;

/// <summary>Debian's PyTorch (1.13) loads each network's exported weights into examples/pytorch/shower_networks.py and predicts as TorchSharp does.</summary>
[Category(Peers.Category)]
public class PyTorchExportTests
{
    [TestCase("convnet")]
    [TestCase("cae")]
    [TestCase("resnet")]
    [TestCase("vae")]
    public void PyTorch_loads_the_exported_weights_and_gives_the_same_probabilities_on_256_showers(string network)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"export-{network}-{Guid.NewGuid():N}");
        try
        {
            var trial = TrainedModels.Train(network, Path.Combine(folder, "trial"));
            var showers = ShowerGenerator.Generate(256, seed: 77, "predict");
            var data = Path.Combine(folder, "Test_predict.h5");
            SwgoWriter.Write(data, showers);
            float[] expected;
            using (var model = TrainedModel.Load(trial))
            {
                model.ExportPyTorch(Path.Combine(folder, "export"));
                expected = model.Probabilities(showers);
            }

            var csv = Path.Combine(folder, "pytorch.csv");
            var examples = Path.Combine(RepoPaths.Root, "examples", "pytorch");
            Peers.RunPython($"import sys; sys.argv = ['predict.py'] + sys.argv[1:]; sys.path.insert(0, {Quoted(examples)}); exec(open({Quoted(Path.Combine(examples, "predict.py"))}).read())",
                Path.Combine(folder, "export"), data, csv);

            var rows = File.ReadAllLines(csv);
            Assert.That(rows[0], Is.EqualTo("shower,p_iron,p_proton,predicted,label"));
            Assert.That(rows, Has.Length.EqualTo(257));
            var largest = 0.0;
            foreach (var row in rows.Skip(1))
            {
                var cells = row.Split(',');
                var i = int.Parse(cells[0], CultureInfo.InvariantCulture);
                for (var c = 0; c < 2; c++)
                    largest = Math.Max(largest, Math.Abs(double.Parse(cells[1 + c], CultureInfo.InvariantCulture) - expected[2 * i + c]));
            }
            Assert.That(largest, Is.LessThan(1e-5), $"PyTorch's and TorchSharp's probabilities differ by up to {largest:E2}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Quoted(string path) => $"'{path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}'";
}
