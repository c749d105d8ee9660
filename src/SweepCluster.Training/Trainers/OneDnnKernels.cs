using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SweepCluster.Core.Spec;
using SweepCluster.Training.Data;

namespace SweepCluster.Training.Trainers;

/// <summary>
/// libtorch runs CPU convolutions through oneDNN, which picks its kernels by the widest vector instructions the CPU
/// reports. On this project's test machine (an AMD EPYC virtual machine reporting AVX-512) its AVX-512 kernels made
/// convnet losses NaN within an epoch and its AVX2 kernels made the same seed give different losses run to run, while
/// its SSE4.1 kernels are exact; every other vector code there (.NET's, numpy's OpenBLAS) is. SSE4.1 costs real time on
/// a realistic convnet (an epoch of 2,000 showers at [18, 20] channels: 65 s against 15 s with AVX2), but a wrong result
/// costs more. So oneDNN starts capped at SSE4.1 (<c>DNNL_MAX_CPU_ISA</c>) unless the user set that variable (<c>ALL</c>
/// gives oneDNN its own choice); a host that has checked the machine (<see cref="IsExact"/>, in a child process) lifts the
/// cap with <see cref="Allow"/>. GPU training does not use oneDNN.
/// </summary>
public static partial class OneDnnKernels
{
    public const string Variable = "DNNL_MAX_CPU_ISA";

    /// <summary>The kernels every x86-64 CPU since 2008 runs, and the ones found exact where wider ones were not.</summary>
    public const string Cap = "SSE41";

    /// <summary>What the user set <see cref="Variable"/> to before this process started; null when the choice is left to the project.</summary>
    public static string? UserSetting { get; private set; }

    /// <summary>
    /// Runs when this assembly is first used, before any of its code can reach libtorch: oneDNN reads the variable once,
    /// on its first convolution. A library's module initializer is what guarantees that order here.
    /// </summary>
#pragma warning disable CA2255 // the order above is the point
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void CapAtSse41()
    {
        UserSetting = Environment.GetEnvironmentVariable(Variable);
        if (UserSetting is null) Set(Cap);
    }

    /// <summary>Lets oneDNN use kernels up to <paramref name="isa"/>; it takes effect only before the process's first convolution.</summary>
    public static void Allow(string isa) => Set(isa);

    private static void Set(string isa)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            // .NET keeps its own copy of the environment on Linux: libtorch sees only what libc's setenv sets.
            setenv(Variable, isa, overwrite: 1);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // not glibc: oneDNN keeps its own choice
        }
    }

    /// <summary>
    /// Whether this process's oneDNN kernels train exactly: a small convnet, trained twice from one seed, must give finite
    /// losses, the same in both runs to the last bit. Null when they do, else what went wrong. Both faults seen on the test
    /// machine show here within a second.
    /// </summary>
    public static string? IsExact()
    {
        var data = new ShowerData(ShowerGenerator.Generate(192, 5, "train"), ShowerGenerator.Generate(64, 1005, "test"));
        var settings = new ParamValue.Map([.. new[] { "epochs=2", "bs=32", "lr=0.002", "optimizer=adam", "out_channels=[4,6]", "normalize=yes" }
            .Select(s => DistributionParser.ParseSetting(s)!.Value)]);
        var request = new TrainingRequest("convnet", settings, Seed: 42, data);
        try
        {
            var first = ShowerTrainer.Train(request).Epochs.Select(e => e.TrainLoss).ToList();
            var second = ShowerTrainer.Train(request).Epochs.Select(e => e.TrainLoss).ToList();
            return first.SequenceEqual(second) ? null : $"one seed gave different losses run to run ({string.Join(", ", first)} against {string.Join(", ", second)})";
        }
        catch (TrainingDivergedException e)
        {
            return e.Message;
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
