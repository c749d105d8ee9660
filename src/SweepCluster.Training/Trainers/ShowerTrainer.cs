using System.Diagnostics;
using System.Text.Json;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Training.Artifacts;
using SweepCluster.Training.Data;
using SweepCluster.Training.Inference;
using SweepCluster.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SweepCluster.Training.Trainers;

/// <summary>
/// Trains one of the study's networks for one trial. Synchronous by design: callers run it on a thread of its
/// own, and every batch lives in one dispose scope, so native memory stays flat however long it trains.
/// </summary>
public static class ShowerTrainer
{
    private const int EvaluationBatch = 128;

    /// <param name="onBatch">Called after every trained batch: a sign of life for stall detection, so it must be cheap.</param>
    public static TrainingResult Train(TrainingRequest request, Action<EpochReport>? onEpoch = null, CancellationToken cancellation = default, Action<EpochProgress>? onBatch = null)
    {
        GlibcAllocator.ReturnLargeBlocksToTheSystem();
        var settings = NetworkSettings.Read(request.Trainer, new TrialParams(request.Params), request.Epochs);
        var (epochs, batchSize, (optimizerName, learningRate, momentum), normalize) = (settings.Epochs, settings.BatchSize, settings.Optimizer, settings.Normalize);
        var device = Devices.Parse(request.Device);
        var (train, test) = (request.Data.Train, request.Data.Test);
        var (mean, std) = normalize ? train.PixelStatistics : (0f, 1f);

        manual_seed(request.Seed);
        using var model = ModelFactory.Create(settings.Shape, train.Height);
        model.to(device);
        var weightDecay = settings.WeightDecay;
        using OptimizerHelper optimizer = optimizerName == "adam"
            ? optim.Adam(model.parameters(), learningRate, beta1: 0.9, beta2: 0.999, weight_decay: weightDecay) // PyTorch's betas
            : optim.SGD(model.parameters(), learningRate, momentum, weight_decay: weightDecay);

        var checkpoint = request.CheckpointDirectory is null ? null : new Checkpoint(request.CheckpointDirectory, Fingerprint(request, epochs));
        var history = new List<EpochReport>(checkpoint?.Resume(model, optimizer) ?? []);
        var trainBatches = new BatchSource(train, device, mean, std);
        var testBatches = new BatchSource(test, device, mean, std);
        BinaryConfusion? testConfusion = null;
        var trainingTime = TimeSpan.Zero;
        long trainedSamples = 0;

        for (var epoch = history.Count + 1; epoch <= epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            var order = Shuffled(train.Count, request.Seed, epoch);
            var lossSum = 0.0;
            long trained = 0;
            model.train();
            foreach (var (start, length) in TrainingBatches.Of(order.Length, batchSize))
            {
                cancellation.ThrowIfCancellationRequested();
                var indices = order.AsSpan(start, length);
                using var scope = NewDisposeScope();
                var (images, labels) = trainBatches.Make(indices);
                optimizer.zero_grad();
                var loss = model.TrainingLoss(images, labels);
                loss.backward();
                optimizer.step();
                var value = loss.item<float>();
                if (!float.IsFinite(value)) throw new TrainingDivergedException(epoch, "training loss", value);
                lossSum += value * indices.Length;
                trained += indices.Length;
                onBatch?.Invoke(new EpochProgress(epoch, trained, order.Length));
            }
            trainingTime += watch.Elapsed;
            trainedSamples += order.Length;
            testConfusion = Evaluate(model, test, testBatches, epoch, cancellation);
            var report = new EpochReport(epoch, lossSum / order.Length, testConfusion.Value.F1, watch.Elapsed.TotalSeconds, order.Length);
            history.Add(report);
            checkpoint?.Save(model, optimizer, history);
            onEpoch?.Invoke(report);
        }

        var trainConfusion = Evaluate(model, train, trainBatches, epochs, cancellation);
        var finalTest = testConfusion ?? Evaluate(model, test, testBatches, epochs, cancellation);
        var metrics = new Dictionary<string, double>
        {
            ["train_acc"] = trainConfusion.Accuracy,
            ["test_acc"] = finalTest.Accuracy,
            ["train_f1"] = trainConfusion.F1,
            ["test_f1"] = finalTest.F1,
        };
        var artifacts = request.ArtifactDirectory is null
            ? new Dictionary<string, string>()
            : WriteArtifacts(request.ArtifactDirectory, model, ModelDescription.Of(settings, train.Height, train.Width, normalize ? (mean, std) : null), trainConfusion, finalTest);
        var samplesPerSecond = trainingTime > TimeSpan.Zero ? trainedSamples / trainingTime.TotalSeconds : 0;
        return new TrainingResult(metrics, trainConfusion, finalTest, history, samplesPerSecond, artifacts);
    }

    /// <summary>
    /// Whole-set predictions without gradients, in evaluation mode (batch norm uses its running statistics). Outputs that
    /// are not finite numbers fail the trial as diverged: argmax of NaN would silently predict one class.
    /// </summary>
    private static BinaryConfusion Evaluate(ShowerModel model, ShowerSet set, BatchSource batches, int epoch, CancellationToken cancellation)
    {
        model.eval();
        using var noGrad = no_grad();
        var confusion = new BinaryConfusion();
        var all = Enumerable.Range(0, set.Count).ToArray();
        for (var start = 0; start < set.Count; start += EvaluationBatch)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var indices = all.AsSpan(start, Math.Min(EvaluationBatch, set.Count - start));
            var (images, _) = batches.Make(indices);
            var outputs = model.forward(images);
            if (outputs.isnan().any().item<bool>()) throw new TrainingDivergedException(epoch, "network's outputs", float.NaN);
            if (outputs.isinf().any().item<bool>()) throw new TrainingDivergedException(epoch, "network's outputs", float.PositiveInfinity);
            var predicted = outputs.argmax(1).cpu().data<long>().ToArray();
            for (var i = 0; i < indices.Length; i++) confusion = confusion.Add(set.Labels[indices[i]], (int)predicted[i]);
        }
        model.train();
        return confusion;
    }

    /// <summary>The epoch's order of training samples: a pure function of (seed, epoch), so a resumed run shuffles as the original.</summary>
    private static int[] Shuffled(int count, long seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var rng = SplitMix64.For(seed, epoch, "shuffle");
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)rng.NextInt64Inclusive(0, i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>What a checkpoint was made for: a checkpoint of another configuration is never resumed. Its bytes are stored, so they must not change.</summary>
    private static string Fingerprint(TrainingRequest request, int epochs) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
        JsonSerializer.SerializeToUtf8Bytes(new CheckpointKey(request.Trainer, request.Seed, epochs,
            $"{request.Data.Train.Source}:{request.Data.Train.Count}", $"{request.Data.Test.Source}:{request.Data.Test.Count}", request.Params), SweepJson.Compact)));

    private sealed record CheckpointKey(string Trainer, long Seed, int Epochs, string Train, string Test, ParamValue.Map Params);

    private static Dictionary<string, string> WriteArtifacts(string directory, ShowerModel model, ModelDescription description, BinaryConfusion train, BinaryConfusion test)
    {
        Directory.CreateDirectory(directory);
        var weights = Path.Combine(directory, TrainedModel.TorchSharpWeights);
        model.save(weights);
        description.Write(directory);
        var matrices = Path.Combine(directory, "confusion.json");
        File.WriteAllText(matrices, SweepJson.Serialize(ConfusionFile.Of(train, test)));
        var image = Path.Combine(directory, "confusion.png");
        ConfusionImage.Write(image, train.NormalizedByTrueClass(), test.NormalizedByTrueClass());
        return new Dictionary<string, string>
        {
            ["weights"] = weights,
            ["model"] = Path.Combine(directory, ModelDescription.FileName),
            ["confusion_json"] = matrices,
            ["confusion_png"] = image,
        };
    }
}
