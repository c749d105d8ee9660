using System.Globalization;
using System.Text.Json;

namespace SweepCluster.Cli.Tests;

[Category(TestKinds.Process)]
public class PredictCommandTests
{
    private string _folder = "";

    [OneTimeSetUp]
    public void GenerateSmallSet()
    {
        _folder = Directory.CreateTempSubdirectory("predict-").FullName;
        Assert.That(CliRunner.Run("data", "generate", "--out", Path.Combine(_folder, "data"), "--train", "96", "--test", "40").ExitCode, Is.Zero);
    }

    [OneTimeTearDown]
    public void RemoveSmallSet() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void A_trials_network_predicts_every_shower_as_it_was_scored_and_its_pytorch_export_predicts_the_same()
    {
        var trial = Path.Combine(_folder, "trial");
        var train = CliRunner.Run("train", CliRunner.Experiment("convnet.yml"), "--set", "out_channels=[3,5]", "--set", "bs=16",
            "--data", Path.Combine(_folder, "data"), "--epochs", "1", "--out", trial, "--format", "json");
        Assert.That(train.ExitCode, Is.Zero, train.Stderr);
        var testAccuracy = JsonDocument.Parse(train.Stdout).RootElement.GetProperty("metrics").GetProperty("test_acc").GetDouble();
        var testFile = Directory.GetFiles(Path.Combine(_folder, "data"), "Test_*.h5").Single();

        var fromTrial = CliRunner.Run("predict", trial, "--data", testFile, "--out", Path.Combine(_folder, "trial.csv"));
        Assert.That(fromTrial.ExitCode, Is.Zero, fromTrial.Stderr);
        Assert.That(fromTrial.Stdout, Does.Contain($"40 showers; {(int)Math.Round(testAccuracy * 40)} predicted as labelled"), "the trial's own test accuracy");
        var rows = File.ReadAllLines(Path.Combine(_folder, "trial.csv"));
        Assert.That(rows[0], Is.EqualTo("shower,p_iron,p_proton,predicted,label"));
        Assert.That(rows.Skip(1).Select(r => r.Split(',')), Has.All.Matches<string[]>(cells =>
            Math.Abs(double.Parse(cells[1], CultureInfo.InvariantCulture) + double.Parse(cells[2], CultureInfo.InvariantCulture) - 1) < 1e-5
            && cells[3] == (double.Parse(cells[1], CultureInfo.InvariantCulture) >= double.Parse(cells[2], CultureInfo.InvariantCulture) ? "iron" : "proton")));

        var export = CliRunner.Run("export", "pytorch", trial, "--out", Path.Combine(_folder, "export"));
        Assert.That(export.ExitCode, Is.Zero, export.Stderr);
        Assert.That(export.Stdout, Does.Contain("model.pt: the convnet's state_dict"));
        Assert.That(CliRunner.Run("predict", Path.Combine(_folder, "export"), "--data", testFile, "--out", Path.Combine(_folder, "export.csv")).ExitCode, Is.Zero);
        Assert.That(File.ReadAllLines(Path.Combine(_folder, "export.csv")), Is.EqualTo(rows));
    }

    [Test]
    public void A_folder_without_a_model_or_a_file_without_showers_is_refused_in_one_line()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName;
        var noModel = CliRunner.Run("predict", empty, "--data", "nothing.h5", "--out", Path.Combine(_folder, "x.csv"));
        Assert.That(noModel.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(noModel.Stderr, Does.StartWith($"sweepctl: {Path.Combine(empty, "model.json")}: not found").And.Not.Contain("   at "));

        var exportNothing = CliRunner.Run("export", "pytorch", empty, "--out", Path.Combine(_folder, "never"));
        Assert.That(exportNothing.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(Directory.Exists(Path.Combine(_folder, "never")), Is.False, "nothing is written for a model that cannot be read");
    }
}
