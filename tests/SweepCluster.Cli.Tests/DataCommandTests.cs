using System.Text.Json;

namespace SweepCluster.Cli.Tests;

public class DataCommandTests
{
    [TestCase("swgo_fixed_f32.h5")]
    [TestCase("swgo_table_f32.h5")]
    public void Inspect_prints_the_fixture_figures_under_their_expected_names(string name)
    {
        var result = CliRunner.Run("data", "inspect", RepoPaths.Fixture("swgo", name), "--format", "json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        using var printed = JsonDocument.Parse(result.Stdout);
        using var expectedDoc = JsonDocument.Parse(File.ReadAllText(RepoPaths.Fixture("swgo", "expected.json")));
        foreach (var property in expectedDoc.RootElement.GetProperty(name).EnumerateObject().Where(p => p.Name != "pandas_format"))
            Assert.That(Canonical(printed.RootElement.GetProperty(property.Name)), Is.EqualTo(Canonical(property.Value)), property.Name);
    }

    /// <summary>Python writes 16183.0 where .NET writes 16183: numbers compare as numbers, the rest as compact JSON.</summary>
    private static string Canonical(JsonElement value) => value.ValueKind == JsonValueKind.Number
        ? value.GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture)
        : JsonSerializer.Serialize(value);

    [Test]
    public void Inspect_of_a_bad_file_names_it_and_exits_2()
    {
        var path = CliRunner.TempFile("not hdf5");
        try
        {
            var result = CliRunner.Run("data", "inspect", path);
            Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.InvalidInput));
            Assert.That(result.Stderr, Does.StartWith($"sweepctl: {path}: not a readable HDF5 file"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Generate_writes_a_train_and_a_test_file_that_inspect_reads()
    {
        var dir = Directory.CreateTempSubdirectory("generate-").FullName;
        try
        {
            var result = CliRunner.Run("data", "generate", "--out", dir, "--train", "30", "--test", "10", "--seed", "3");
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            var files = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(files.Select(Path.GetFileName), Is.EqualTo(new[] { "Train_Synthetic_alt5200m_N30.h5", "Test_Synthetic_alt5200m_N10.h5" }));
            Assert.That(result.Stderr, Does.Contain("generating train: 30/30"));
            var inspect = CliRunner.Run("data", "inspect", files[1], "--format", "json");
            using var doc = JsonDocument.Parse(inspect.Stdout);
            Assert.That(doc.RootElement.GetProperty("samples").GetInt32(), Is.EqualTo(10));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
