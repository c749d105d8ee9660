using System.Runtime.InteropServices;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Training.Tests;

public class TrainingErrorsTests
{
    [Test]
    public void Libtorch_cpu_and_cuda_allocator_failures_are_recognised_and_described_in_one_line()
    {
        var cpu = new ExternalException("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 16 bytes.\nframe #0: c10::ThrowEnforceNotMet");
        var cuda = new ExternalException("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)\nframe #0: ...");
        Assert.That(TrainingErrors.IsOutOfMemory(cpu) && TrainingErrors.IsOutOfMemory(cuda) && TrainingErrors.IsOutOfMemory(new OutOfMemoryException()));
        Assert.That(TrainingErrors.FirstLine(cpu), Is.EqualTo("DefaultCPUAllocator: can't allocate memory: you tried to allocate 16 bytes."));
        Assert.That(TrainingErrors.FirstLine(cuda), Is.EqualTo("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)"));
        Assert.That(TrainingErrors.IsOutOfMemory(new InvalidOperationException("shape mismatch")), Is.False);
    }
}
