using System.Text.Json;
using SweepCluster.Core.Files;
using SweepCluster.Core.Json;
using SweepCluster.Core.Spec;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Training.Models;

/// <summary>
/// What a network's weights need beside them to be used again: which network, the values that shape it (the study's keys),
/// the images it reads and the training set's normalization. Written as <c>model.json</c> next to the weights; a stored
/// contract (docs/stored-formats.md): fields are only added, and <see cref="Format"/> rises when an old reader would be wrong.
/// </summary>
/// <param name="Normalization">The training set's pixel mean and standard deviation the inputs are shifted and scaled by; null when the trial read raw pixels.</param>
/// <param name="Classes">The class of each output, in order: iron (0), proton (1).</param>
public sealed record ModelDescription(int Format, string Network, ParamValue.Map Architecture, ImageShape Image, PixelNormalization? Normalization, IReadOnlyList<string> Classes)
{
    public const string FileName = "model.json";
    public const int CurrentFormat = 1;
    public static readonly IReadOnlyList<string> ShowerClasses = ["iron", "proton"];

    private const int LargestSide = 4096;

    public static ModelDescription Of(NetworkSettings settings, int height, int width, (float Mean, float Std)? normalization) =>
        new(CurrentFormat, settings.Network, settings.Shape.Architecture, new ImageShape(height, width),
            normalization is { } n ? new PixelNormalization(n.Mean, n.Std) : null, ShowerClasses);

    public NetworkShape Shape(string path)
    {
        try
        {
            return NetworkShape.Read(Network, new TrialParams(Architecture, "architecture."));
        }
        catch (InvalidTrialException e)
        {
            throw new ModelFileException(path, e.Message);
        }
    }

    public void Write(string directory) => AtomicFile.WriteAllText(Path.Combine(directory, FileName), SweepJson.Serialize(this));

    /// <summary>Reads and checks <c>DIRECTORY/model.json</c>; every problem names the file and what would be right.</summary>
    public static ModelDescription Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new ModelFileException(path, "not found: a trained network's folder holds model.json beside its weights (trials trained before release 1.1 have none; train the trial again with `sweepctl train --from`)");
        ModelDescription? description;
        try
        {
            description = JsonSerializer.Deserialize<ModelDescription>(File.ReadAllText(path), SweepJson.Options);
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, $"line {(e.LineNumber ?? 0) + 1}: not a model description ({e.Message.Split(". ")[0]})");
        }
        if (description is null || description.Network is null || description.Architecture is null || description.Image is null || description.Classes is null)
            throw new ModelFileException(path, "needs format, network, architecture, image and classes");
        if (description.Format is < 1 or > CurrentFormat)
            throw new ModelFileException(path, $"format {description.Format} is not one this release reads (1 to {CurrentFormat}); a newer sweepctl wrote it");
        if (description.Image.Height is < 1 or > LargestSide || description.Image.Width is < 1 or > LargestSide)
            throw new ModelFileException(path, $"image: {description.Image.Height}x{description.Image.Width} is not an image size (1 to {LargestSide} a side)");
        if (description.Normalization is { } n && !(float.IsFinite(n.Mean) && float.IsFinite(n.Std) && n.Std > 0))
            throw new ModelFileException(path, $"normalization: mean {n.Mean} and std {n.Std} must be finite numbers, std above 0");
        if (description.Classes.Count != ShowerClasses.Count)
            throw new ModelFileException(path, $"classes: the networks classify {ShowerClasses.Count} classes ({string.Join(", ", ShowerClasses)}), not {description.Classes.Count}");
        description.Shape(path);
        return description;
    }
}

/// <summary>The images a network reads: one channel of <c>Height</c> x <c>Width</c> pixels.</summary>
public sealed record ImageShape(int Height, int Width);

/// <summary>Inputs are fed as <c>(pixel - Mean) / Std</c>.</summary>
public sealed record PixelNormalization(float Mean, float Std);

/// <summary>A trained model's file that cannot be used, with the file named and what is wrong.</summary>
public sealed class ModelFileException(string path, string problem) : Exception($"{path}: {problem}");
