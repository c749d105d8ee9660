using static TorchSharp.torch;

namespace SweepCluster.Training.Trainers;

/// <summary>Placement strings (<c>cpu</c>, <c>cuda:N</c>) to torch devices, and what this process has.</summary>
public static class Devices
{
    /// <summary>The CUDA devices torch sees; always none with the CPU build of TorchSharp.</summary>
    public static IReadOnlyList<int> CudaDevices() => cuda.is_available() ? [.. Enumerable.Range(0, cuda.device_count())] : [];

    public static Device Parse(string placement)
    {
        if (placement == "cpu") return CPU;
        if (placement.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(placement[5..], out var index) && index >= 0)
        {
            if (!CudaDevices().Contains(index))
                throw new InvalidTrialException($"device {placement} is not available here (CUDA devices: {(CudaDevices().Count == 0 ? "none" : string.Join(", ", CudaDevices()))})");
            return new Device(TorchSharp.DeviceType.CUDA, index);
        }
        throw new InvalidTrialException($"device '{placement}' is neither cpu nor cuda:N");
    }
}
