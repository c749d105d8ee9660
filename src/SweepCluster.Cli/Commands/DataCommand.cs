using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using SweepCluster.Cli.Output;
using SweepCluster.Training.Data;

namespace SweepCluster.Cli.Commands;

/// <summary><c>sweepctl data generate|inspect</c>: make the synthetic shower set, or check a shower file.</summary>
internal static class DataCommand
{
    public static Command Create(TextWriter output, TextWriter error) => new("data", "Generate synthetic shower files or inspect SWGO files")
    {
        Generate(output, error),
        Inspect(output, error),
    };

    private static Command Generate(TextWriter output, TextWriter error)
    {
        var outDir = new Option<string>("--out") { Description = "Folder for Train_*.h5 and Test_*.h5", Required = true };
        var train = Switches.PositiveInt("--train", $"Training showers (default {SyntheticShowers.DefaultTrain})");
        var test = Switches.PositiveInt("--test", $"Test showers (default {SyntheticShowers.DefaultTest})");
        var seed = new Option<long?>("--seed") { Description = $"Generator seed (default {SyntheticShowers.DefaultSeed})" };
        var command = new Command("generate", "Write a synthetic shower set in the SWGO layout") { outDir, train, test, seed };
        command.SetAction(parsed =>
        {
            var progress = new ProgressLine(error);
            var (trainPath, testPath) = SyntheticShowers.Write(parsed.GetValue(outDir)!,
                parsed.GetValue(train) ?? SyntheticShowers.DefaultTrain, parsed.GetValue(test) ?? SyntheticShowers.DefaultTest,
                parsed.GetValue(seed) ?? SyntheticShowers.DefaultSeed, progress.Show);
            output.WriteLine(trainPath);
            output.WriteLine(testPath);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Inspect(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("FILE") { Description = "An HDF5 file in the SWGO layout" };
        var format = OutputFormat.CreateOption();
        var command = new Command("inspect", "Print a shower file's shape, classes and checksums") { file, format };
        command.SetAction(parsed =>
        {
            var summary = SwgoSummary.Of(parsed.GetValue(file)!);
            if (parsed.GetValue(format) == OutputFormat.Json) WriteJson(output, summary);
            else WriteTable(output, summary);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteJson(TextWriter output, SwgoSummary s) => JsonOutput.Write(output, new InspectDocument(
        s.Path, s.Samples, s.Height, s.Width, s.DataDtype, s.Columns, s.ClassCounts, s.DataSum, s.Sample0Sum, s.Sample0Label, s.LastLabel, s.NmuonsSum, s.DataMax));

    /// <summary><c>sweepctl data inspect --format json</c>: the figures h5py and pandas give for the same file.</summary>
    /// <param name="NmuonsSum">Left out when the file has no Nmuons column.</param>
    private sealed record InspectDocument(
        string File, int Samples, int Height, int Width, string DataDtype, IReadOnlyList<string> Columns, IReadOnlyDictionary<string, int> ClassCounts,
        double DataSum, double Sample0Sum, int Sample0Label, int LastLabel,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? NmuonsSum, double DataMax);

    private static void WriteTable(TextWriter output, SwgoSummary s)
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        output.WriteLine($"file          {s.Path}");
        output.WriteLine($"images        {s.Samples} x {s.Height} x {s.Width} ({s.DataDtype})");
        output.WriteLine($"columns       {string.Join(", ", s.Columns)}");
        output.WriteLine($"classes       0 (iron): {s.ClassCounts["0"]}, 1 (proton): {s.ClassCounts["1"]}");
        output.WriteLine($"data sum      {F(s.DataSum)}");
        output.WriteLine($"image 0 sum   {F(s.Sample0Sum)} (label {s.Sample0Label})");
        output.WriteLine($"data max      {F(s.DataMax)}");
        if (s.NmuonsSum is { } muons) output.WriteLine($"Nmuons sum    {F(muons)}");
    }
}
