using System.CommandLine;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Cli.Commands;

/// <summary><c>sweepctl onednn check [--isa ISA]</c>: whether oneDNN's CPU kernels train exactly on this machine.</summary>
internal static class OneDnnCommand
{
    public static Command Create(TextWriter output)
    {
        var isa = new Option<string?>("--isa")
        {
            Description = $"The widest kernels to check: ALL (oneDNN's own choice), AVX512_CORE, AVX2, SSE41 ... (default: what {OneDnnKernels.Variable} says, else {OneDnnKernels.Cap})",
        };
        var check = new Command("check", "Train a small convnet twice from one seed; exit 0 when the losses are finite and the same, 1 otherwise") { isa };
        check.SetAction(parsed =>
        {
            var limit = parsed.GetValue(isa) ?? OneDnnKernels.UserSetting ?? OneDnnKernels.Cap;
            OneDnnKernels.Allow(limit);
            var fault = OneDnnKernels.IsExact();
            output.WriteLine(fault is null
                ? $"oneDNN kernels up to {limit}: exact (a convnet trained twice from one seed gave the same finite losses)"
                : $"oneDNN kernels up to {limit}: {fault}");
            return fault is null ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return new Command("onednn", "oneDNN, libtorch's CPU convolution kernels: which ones this machine trains exactly with") { check };
    }
}
