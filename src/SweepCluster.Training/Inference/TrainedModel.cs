using SweepCluster.Training.Data;
using SweepCluster.Training.Models;
using SweepCluster.Training.Trainers;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SweepCluster.Training.Inference;

/// <summary>
/// A trained network loaded for use: its description (model.json) and its weights, TorchSharp's <c>model.dat</c> as
/// trials write them or PyTorch's <c>model.pt</c> as <see cref="ExportPyTorch"/> writes them. Predictions run in
/// evaluation mode (batch norm on its running statistics) without gradients, on the inputs normalized as in training.
/// </summary>
public sealed class TrainedModel : IDisposable
{
    public const string TorchSharpWeights = "model.dat";
    public const string PyTorchWeights = "model.pt";

    /// <summary>What loading a model reads: its description and either weights file (what is fetched to use a registered version).</summary>
    public static readonly IReadOnlyList<string> Files = [ModelDescription.FileName, TorchSharpWeights, PyTorchWeights];
    private const int Batch = 256;

    private readonly ShowerModel _network;

    private TrainedModel(ModelDescription description, ShowerModel network, string weights)
    {
        Description = description;
        _network = network;
        Weights = weights;
    }

    public ModelDescription Description { get; }

    /// <summary>The weights file it was loaded from.</summary>
    public string Weights { get; }

    public static TrainedModel Load(string directory)
    {
        var description = ModelDescription.Read(directory);
        var shape = description.Shape(Path.Combine(directory, ModelDescription.FileName));
        var native = Path.Combine(directory, TorchSharpWeights);
        var pytorch = Path.Combine(directory, PyTorchWeights);
        var weights = File.Exists(native) ? native : File.Exists(pytorch) ? pytorch
            : throw new ModelFileException(directory, $"holds neither {TorchSharpWeights} (TorchSharp) nor {PyTorchWeights} (PyTorch) beside its model.json");
        var network = ModelFactory.Create(shape, description.Image.Height);
        try
        {
            if (weights == native) network.load(weights);
            else network.load_py(weights);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            network.Dispose();
            throw new ModelFileException(weights, $"cannot be loaded as the {description.Network} that model.json describes ({e.Message.Split('\n')[0]})");
        }
        network.eval();
        return new TrainedModel(description, network, weights);
    }

    /// <summary>Each shower's class probabilities, row after row (<c>[iron, proton]</c> per shower).</summary>
    public float[] Probabilities(ShowerSet set)
    {
        var (height, width) = (Description.Image.Height, Description.Image.Width);
        if (set.Height != height || set.Width != width)
            throw new DataFileException(set.Source, $"images are {set.Height}x{set.Width}; the model reads {height}x{width}");
        return Probabilities(set.Pixels, set.Count);
    }

    /// <summary>For <paramref name="count"/> images laid out one after the other in <paramref name="pixels"/>, of the model's size.</summary>
    public float[] Probabilities(ReadOnlySpan<float> pixels, int count)
    {
        var (height, width) = (Description.Image.Height, Description.Image.Width);
        var perImage = height * width;
        if (pixels.Length != (long)count * perImage)
            throw new ArgumentException($"{count} images of {height}x{width} need {(long)count * perImage} pixels, got {pixels.Length}", nameof(pixels));
        var classes = Description.Classes.Count;
        var result = new float[count * classes];
        using var noGrad = no_grad();
        for (var first = 0; first < count; first += Batch)
        {
            using var scope = NewDisposeScope();
            var size = Math.Min(Batch, count - first);
            var images = tensor(pixels.Slice(first * perImage, size * perImage).ToArray(), [size, 1, height, width]);
            if (Description.Normalization is { } n) images = (images - n.Mean) / n.Std;
            var probabilities = nn.functional.softmax(_network.forward(images), 1);
            probabilities.data<float>().CopyTo(result.AsSpan(first * classes, size * classes));
        }
        return result;
    }

    /// <summary>Writes the weights as a PyTorch <c>state_dict</c> (<c>torch.load</c> reads it) with the model.json it needs.</summary>
    public void ExportPyTorch(string directory)
    {
        Directory.CreateDirectory(directory);
        var weights = Path.Combine(directory, PyTorchWeights);
        var partial = weights + ".partial";
        _network.save_py(partial);
        File.Move(partial, weights, overwrite: true);
        Description.Write(directory);
    }

    public void Dispose() => _network.Dispose();
}
