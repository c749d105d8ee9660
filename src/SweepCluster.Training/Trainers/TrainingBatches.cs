namespace SweepCluster.Training.Trainers;

/// <summary>
/// How an epoch's samples are cut into training batches. A last batch of one sample is folded into the batch before it:
/// batch norm in training mode cannot normalise one sample (PyTorch refuses; TorchSharp's running variance becomes NaN
/// and every later prediction one class). Every sample still trains every epoch.
/// </summary>
public static class TrainingBatches
{
    public static IEnumerable<(int Start, int Length)> Of(int count, int batchSize)
    {
        for (var start = 0; start < count; start += batchSize)
        {
            var left = count - start;
            if (left == batchSize + 1)
            {
                yield return (start, left);
                yield break;
            }
            yield return (start, Math.Min(batchSize, left));
        }
    }
}
