using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SweepCluster.Cli.Kernels;
using SweepCluster.Cli.Output;
using SweepCluster.Core.Json;
using SweepCluster.Core.Planning;
using SweepCluster.Core.Results;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Training.Data;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// <c>sweepctl train FILE [--set key=value]...</c>: one trial of an experiment, run here: the values given,
/// the rest from the sweep's first planned trial, on the given data or the cached synthetic set.
/// <c>sweepctl train --from RUN_DIR/trial-0003</c> runs a sweep's trial again: its trainer or program, parameters and seed from its
/// trial.json, a program with the code it ran (<see cref="TrialCode"/>).
/// </summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string?>("FILE") { Description = "The experiment YAML file", Arity = ArgumentArity.ZeroOrOne };
        var from = new Option<string?>("--from") { Description = "A trial's folder (RUN_DIR/trial-0003): run that trial again, with its parameters and seed" };
        var seed = new Option<long?>("--seed") { Description = "The trial's seed (weights, shuffling): the same seed gives the same metrics; default the trial's own" };
        var set = new Option<string[]>("--set") { Description = "A parameter value, key=value (lists as out_channels=[14,18]); repeatable", AllowMultipleArgumentsPerToken = false };
        var data = new Option<string?>("--data") { Description = "Folder with one Train_*.h5 and one Test_*.h5 (default: the synthetic set, generated once and cached)" };
        var epochs = Switches.PositiveInt("--epochs", "Epochs, instead of the trial's epochs parameter");
        var outDir = new Option<string?>("--out") { Description = "Folder for the weights and confusion matrices (default runs/train/<name>-<time>)" };
        var code = new Option<string?>("--code") { Description = "Your program's folder (default: the experiment's folder; with --from, the code the trial ran)" };
        var gpus = GpuOption();
        var format = OutputFormat.CreateOption();
        var command = new Command("train", "Train one trial of an experiment on this machine") { file, from, seed, set, data, epochs, outDir, code, gpus, format };
        command.SetAction((parsed, cancellation) =>
        {
            if (parsed.GetValue(file) is null == parsed.GetValue(from) is null)
            {
                error.WriteLine("sweepctl train: give an experiment FILE, or --from a trial's folder (not both)");
                return Task.FromResult(ExitCodes.InvalidInput);
            }
            var trial = parsed.GetValue(from) is { } folder ? FromTrialFile(folder, parsed.GetValue(code), error) : FromExperiment(parsed.GetValue(file)!, parsed.GetValue(code), error);
            if (trial is null) return Task.FromResult(ExitCodes.InvalidInput);
            var trialParams = ApplySettings(trial.Params, parsed.GetValue(set) ?? [], error);
            if (trialParams is null) return Task.FromResult(ExitCodes.InvalidInput);
            var json = parsed.GetValue(format) == OutputFormat.Json;
            var progress = json ? error : output;
            var artifacts = parsed.GetValue(outDir)
                ?? Path.Combine("runs", "train", $"{trial.Trainer}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
            if (trial.Program is { } program)
            {
                var job = new TrialJob(trial.Trainer, trialParams, parsed.GetValue(seed) ?? trial.Seed, parsed.GetValue(gpus) is [var gpu, ..] ? $"cuda:{gpu}" : "cpu",
                    parsed.GetValue(epochs), parsed.GetValue(data) is { } given ? Path.GetFullPath(given) : null, Path.GetFullPath(artifacts), null,
                    Command: program with { Gpus = parsed.GetValue(gpus) ?? [] }, Id: trial.Id);
                return Task.FromResult(ProgramRun.Run(job, json, output, error, cancellation));
            }
            var shower = LoadData(parsed.GetValue(data), error);
            var request = new TrainingRequest(trial.Trainer, trialParams, parsed.GetValue(seed) ?? trial.Seed, shower, Epochs: parsed.GetValue(epochs),
                ArtifactDirectory: artifacts);
            OneDnnChoice.Apply(error);
            var inEpoch = new ProgressLine(error, "training");
            var result = ShowerTrainer.Train(request, e => progress.WriteLine(
                $"epoch {e.Epoch}: train loss {e.TrainLoss:F4}, test_f1 {e.Value:F4} ({e.Seconds:F1} s)"), cancellation,
                p => inEpoch.Show($"epoch {p.Epoch}", (int)p.Samples, (int)p.EpochSamples));
            if (json) TrainingWriter.WriteJson(output, request, result);
            else TrainingWriter.WriteTable(output, result);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <param name="Program">The user's program, with the folder it runs in; null for a built-in trainer.</param>
    private sealed record TrialToRun(string Trainer, ParamValue.Map Params, long Seed, CommandJob? Program = null, TrialId? Id = null);

    /// <summary>The experiment's first planned trial (trial 0 is always fixed in advance).</summary>
    private static TrialToRun? FromExperiment(string file, string? code, TextWriter error)
    {
        if (SpecLoading.Load(file, error, code) is not { } spec) return null;
        var first = TrialPlanner.Plan(spec, trialsOverride: 1).Trials[0];
        var program = spec is { Commands: { } commands, CodeDirectory: { } folder } ? new CommandJob([.. commands], folder, spec.Metric.Name, spec.DataDirectory) : null;
        return new TrialToRun(spec.Trainer, first.Params!, first.Seed, program);
    }

    /// <summary>A sweep's trial as its trial.json records it; a program's with the code it ran.</summary>
    private static TrialToRun? FromTrialFile(string folder, string? code, TextWriter error)
    {
        var path = Path.Combine(folder, "trial.json");
        try
        {
            if (JsonSerializer.Deserialize<TrialFile>(File.ReadAllText(path), SweepJson.Options) is { Trainer: { } trainer, Params: { } parameters } trial)
            {
                if (trial.Program is not { } program) return new TrialToRun(trainer, parameters, trial.Seed);
                if (TrialCode.Locate(folder, program, code, error) is not { } codeFolder) return null;
                return new TrialToRun(trainer, parameters, trial.Seed, new CommandJob([.. program.Run], codeFolder, program.Metric, program.Data),
                    new TrialId(trial.Sweep, trial.Index, trial.Attempt));
            }
            error.WriteLine($"sweepctl train: {path} is not a trial's record: it names no trainer or parameters");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            error.WriteLine($"sweepctl train: {path}: no such file (--from takes a trial's folder, such as runs/<sweep>/trial-0003)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            error.WriteLine($"sweepctl train: {path} is not a trial's record: {e.Message}");
        }
        return null;
    }

    /// <summary>The planned parameters with each <c>--set key=value</c> replacing a top-level key the trial has.</summary>
    private static ParamValue.Map? ApplySettings(ParamValue.Map planned, string[] settings, TextWriter error)
    {
        var entries = planned.Entries.ToList();
        foreach (var setting in settings)
        {
            if (DistributionParser.ParseSetting(setting) is not { Key: var key } parsed)
            {
                error.WriteLine($"--set {setting}: needs key=value, e.g. --set lr=0.002");
                return null;
            }
            var index = entries.FindIndex(e => e.Key == key);
            if (index < 0)
            {
                var hint = KeyHints.DidYouMean(key, entries.Select(e => e.Key));
                error.WriteLine($"--set {setting}: the trial has no parameter '{key}'{(hint.Length > 0 ? hint : "; it has " + string.Join(", ", entries.Select(e => e.Key)))}");
                return null;
            }
            entries[index] = parsed;
        }
        return new ParamValue.Map([.. entries]);
    }

    /// <summary><c>--gpus 0,1</c>: the GPUs a program sees (CUDA_VISIBLE_DEVICES); none unless given.</summary>
    private static Option<ImmutableArray<int>?> GpuOption() => new("--gpus")
    {
        Description = "The GPUs your program sees (CUDA_VISIBLE_DEVICES), ids like 0 or 0,1 (default: none, it runs on the CPU)",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            var ids = text.Split(',').Select(id => int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1).ToImmutableArray();
            if (ids.All(id => id >= 0) && ids.Distinct().Count() == ids.Length) return ids;
            result.AddError($"--gpus takes GPU ids like 0 or 0,1, each once (got '{text}')");
            return null;
        },
    };

    private static ShowerData LoadData(string? directory, TextWriter error)
    {
        if (directory is not null) return ShowerData.Load(directory);
        var progress = new ProgressLine(error);
        return ShowerData.Load(SyntheticShowers.EnsureCached(progress: progress.Show));
    }
}
