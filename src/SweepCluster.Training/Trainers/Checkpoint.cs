using System.Text.Json;
using SweepCluster.Core.Files;
using SweepCluster.Core.Trials;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SweepCluster.Training.Trainers;

/// <summary>
/// A trial's state after its last finished epoch: weights, optimizer state, torch's RNG state and the epoch
/// reports. Each save goes to a new folder and is then named current by replacing one small file, so a
/// process killed mid-save leaves the previous checkpoint intact.
/// </summary>
internal sealed class Checkpoint(string directory, string fingerprint)
{
    private const string CurrentFile = "current";

    private sealed record State(string Fingerprint, List<EpochReport> Epochs);

    public void Save(nn.Module model, OptimizerHelper optimizer, IReadOnlyList<EpochReport> epochs)
    {
        var folder = $"epoch-{epochs.Count:D4}";
        var path = Path.Combine(directory, folder);
        Directory.CreateDirectory(path);
        model.save(Path.Combine(path, "model.dat"));
        optimizer.save_state_dict(Path.Combine(path, "optimizer.dat"));
        using (var rng = get_rng_state()) File.WriteAllBytes(Path.Combine(path, "rng.dat"), rng.data<byte>().ToArray());
        File.WriteAllText(Path.Combine(path, "state.json"), JsonSerializer.Serialize(new State(fingerprint, [.. epochs])));
        AtomicFile.WriteAllText(Path.Combine(directory, CurrentFile), folder);
        foreach (var old in Directory.GetDirectories(directory, "epoch-*").Where(d => Path.GetFileName(d) != folder))
            Directory.Delete(old, recursive: true);
    }

    /// <summary>Loads the last checkpoint into the model and optimizer; the epochs it had finished, or none.</summary>
    public IReadOnlyList<EpochReport> Resume(nn.Module model, OptimizerHelper optimizer)
    {
        var pointer = Path.Combine(directory, CurrentFile);
        if (!File.Exists(pointer)) return [];
        var path = Path.Combine(directory, File.ReadAllText(pointer).Trim());
        var state = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(path, "state.json")))!;
        if (state.Fingerprint != fingerprint)
            throw new InvalidTrialException($"the checkpoint in {directory} was written by another trial (trainer, parameters, seed or data differ); remove it or choose another directory");
        model.load(Path.Combine(path, "model.dat"));
        optimizer.load_state_dict(Path.Combine(path, "optimizer.dat"));
        using var rng = tensor(File.ReadAllBytes(Path.Combine(path, "rng.dat")), dtype: ScalarType.Byte);
        set_rng_state(rng);
        return state.Epochs;
    }
}
