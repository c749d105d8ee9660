using System.Collections.Concurrent;
using SweepCluster.Training.Inference;

namespace SweepCluster.Node.Serving;

/// <summary>
/// Runs every prediction of this node on one dedicated thread, batching the requests that wait for the same model into one
/// forward pass of up to <see cref="MaxBatch"/> images (as TorchServe and Triton batch dynamically, without a wait: a request
/// alone goes at once). One thread: libtorch spreads each batch over the cores itself.
/// </summary>
internal sealed class PredictionBatcher : IDisposable
{
    public const int MaxBatch = 256;

    private sealed record Request(TrainedModel Model, float[] Pixels, int Count, TaskCompletionSource<float[]> Done);

    private readonly BlockingCollection<Request> _queue = [];
    private readonly Thread _thread;

    public PredictionBatcher()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "model serving" };
        _thread.Start();
    }

    /// <summary>Each image's class probabilities, row after row, once the batch holding them has run.</summary>
    public Task<float[]> Predict(TrainedModel model, float[] pixels, int count)
    {
        var done = new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(new Request(model, pixels, count, done));
        return done.Task;
    }

    private void Run()
    {
        Request? carried = null;
        while ((carried ?? Take()) is { } first)
        {
            carried = null;
            var batch = new List<Request> { first };
            var images = first.Count;
            while (images < MaxBatch && _queue.TryTake(out var next))
            {
                // A request for another model, or one that would overflow the batch, leads the next batch.
                if (next.Model != first.Model || images + next.Count > MaxBatch)
                {
                    carried = next;
                    break;
                }
                batch.Add(next);
                images += next.Count;
            }
            Serve(first.Model, batch, images);
        }
    }

    /// <summary>The next request, waiting for one; null once the node stops.</summary>
    private Request? Take()
    {
        try
        {
            return _queue.Take();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static void Serve(TrainedModel model, List<Request> batch, int images)
    {
        try
        {
            var pixels = batch.Count == 1 ? batch[0].Pixels : [.. batch.SelectMany(r => r.Pixels)];
            var probabilities = model.Probabilities(pixels, images);
            var classes = model.Description.Classes.Count;
            var offset = 0;
            foreach (var request in batch)
            {
                request.Done.SetResult(probabilities[(offset * classes)..((offset + request.Count) * classes)]);
                offset += request.Count;
            }
        }
        catch (Exception e)
        {
            foreach (var request in batch) request.Done.TrySetException(e);
        }
    }

    public void Dispose() => _queue.CompleteAdding();
}
