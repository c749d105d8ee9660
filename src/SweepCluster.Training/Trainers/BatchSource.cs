using SweepCluster.Training.Data;
using static TorchSharp.torch;

namespace SweepCluster.Training.Trainers;

/// <summary>
/// Copies the images of one batch out of the shared set into a reused buffer and makes the batch tensors,
/// normalized with the training set's scalars when asked. The shared set itself is never copied or written.
/// </summary>
internal sealed class BatchSource(ShowerSet set, Device device, float mean, float std)
{
    private readonly Dictionary<int, (float[] Pixels, long[] Labels)> _buffers = [];

    public (Tensor Images, Tensor Labels) Make(ReadOnlySpan<int> indices)
    {
        var count = indices.Length;
        if (!_buffers.TryGetValue(count, out var buffer))
            _buffers[count] = buffer = (new float[count * set.PixelsPerImage], new long[count]);
        for (var i = 0; i < count; i++)
        {
            set.Image(indices[i]).CopyTo(buffer.Pixels.AsSpan(i * set.PixelsPerImage));
            buffer.Labels[i] = set.Labels[indices[i]];
        }
        var images = tensor(buffer.Pixels, [count, 1, set.Height, set.Width]).to(device);
        if (mean != 0 || std != 1) images = (images - mean) / std;
        return (images, tensor(buffer.Labels).to(device));
    }
}
