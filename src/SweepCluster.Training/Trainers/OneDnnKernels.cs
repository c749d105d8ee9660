using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SweepCluster.Training.Trainers;

/// <summary>
/// libtorch runs CPU convolutions through oneDNN, which picks its kernels by the widest vector instructions the CPU
/// reports. On this project's test machine (an AMD EPYC virtual machine reporting AVX-512) its AVX-512 kernels made
/// convnet losses NaN within an epoch and its AVX2 kernels made the same seed give different losses run to run, while
/// its SSE4.1 kernels are exact; every other vector code there (.NET's, numpy's OpenBLAS) is. SSE4.1 costs real time on
/// a realistic convnet (an epoch of 2,000 showers at [18, 20] channels: 65 s against 15 s with AVX2), but a wrong result
/// costs more. So oneDNN is capped at SSE4.1 (<c>DNNL_MAX_CPU_ISA</c>) unless the user set that variable (<c>ALL</c> gives
/// oneDNN its own choice). GPU training does not use oneDNN.
/// </summary>
internal static partial class OneDnnKernels
{
    private const string Variable = "DNNL_MAX_CPU_ISA";

    /// <summary>
    /// Runs when this assembly is first used, before any of its code can reach libtorch: oneDNN reads the variable once,
    /// on its first convolution. A library's module initializer is what guarantees that order here.
    /// </summary>
#pragma warning disable CA2255 // the order above is the point
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void CapAtSse41()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) is not null) return;
        try
        {
            // .NET keeps its own copy of the environment on Linux: libtorch sees only what libc's setenv sets.
            setenv(Variable, "SSE41", overwrite: 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // not glibc: oneDNN keeps its own choice
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
