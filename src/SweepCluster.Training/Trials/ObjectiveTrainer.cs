using System.Text.Json;
using SweepCluster.Core.Json;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;
using SweepCluster.Sdk;

namespace SweepCluster.Training.Trials;

/// <summary>A built-in objective (<c>builtin/sleep</c>, <c>builtin/branin</c>, ...) as a trainer, reporting the metric <c>value</c>.</summary>
public sealed class ObjectiveTrainer(string objective) : ITrainer
{
    public void Train(TrainerContext context)
    {
        var job = new TrialJob(objective, JsonSerializer.Deserialize<ParamValue.Map>(context.ParamsJson, SweepJson.Stored)!, context.Seed, context.Device,
            context.Epochs, context.DataDirectory, context.TrialDirectory, context.CheckpointDirectory);
        var outcome = BuiltinObjectives.Run(job,
            e => context.Report(e.Epoch, new Dictionary<string, double> { ["loss"] = e.TrainLoss, ["value"] = e.Value, ["seconds"] = e.Seconds }), context.Cancellation);
        context.Result(outcome.Metrics);
    }
}
