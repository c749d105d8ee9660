using SweepCluster.Core.Spec;
using SweepCluster.Training.Data;

namespace SweepCluster.Training.Tests;

/// <summary>Small in-memory synthetic sets and trial parameters, so training tests take seconds.</summary>
internal static class SmallData
{
    private static readonly Lazy<ShowerData> Shared = new(() => Make(192, 64, seed: 5));

    public static ShowerData Showers => Shared.Value;

    public static ShowerData Make(int train, int test, long seed) =>
        new(ShowerGenerator.Generate(train, seed, "train"), ShowerGenerator.Generate(test, seed + 1000, "test"));

    /// <summary>Parameters as a trial would get them, written as YAML-ish key=value pairs.</summary>
    public static ParamValue.Map Params(params string[] settings) =>
        new([.. settings.Select(s => DistributionParser.ParseSetting(s)!.Value)]);

    public static readonly string[] ConvNet = ["epochs=2", "bs=32", "lr=0.002", "optimizer=adam", "out_channels=[4,6]", "normalize=yes"];
}
