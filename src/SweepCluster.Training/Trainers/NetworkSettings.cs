using SweepCluster.Core.Planning;
using SweepCluster.Core.Spec;

namespace SweepCluster.Training.Trainers;

/// <summary>
/// Everything a network trial reads from its hyperparameters, read before any tensor exists: <c>validate</c> and
/// <c>sweep submit</c> read it for every planned trial, so a missing or wrong value is found before a sweep runs, not in
/// each of its trials. The keys are the study's (its YAML files'); <see cref="Keys"/> lists them for messages and docs.
/// </summary>
public sealed record NetworkSettings(string Network, int Epochs, int BatchSize, OptimizerSettings Optimizer, bool Normalize, NetworkShape Shape)
{
    /// <summary>What each network reads: the training keys every network shares, then its own.</summary>
    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>
    {
        ["convnet"] = "out_channels (2 whole numbers)",
        ["cae"] = "depth, first_conv_out_channels, latent_size (whole numbers), reg (>= 0)",
        ["resnet"] = "number_of_blocks (4 whole numbers), num_channels (5 whole numbers), reg (>= 0, the weight decay)",
        ["vae"] = "autoencoder_sizes (4 whole numbers), reg (>= 0, the weight decay)",
    };

    public const string SharedKeys = "epochs, bs (whole numbers), optimizer (adam or sgd, or a branch {name, lr, momentum}), lr (> 0), normalize (yes or no)";

    /// <summary>The optimizer's weight decay: the study used <c>reg</c> as such for ResNet and the VAE.</summary>
    public double WeightDecay => Shape switch
    {
        NetworkShape.ResNet r => r.Reg,
        NetworkShape.Vae v => v.Reg,
        _ => 0,
    };

    /// <exception cref="InvalidTrialException">A key is missing or holds what the network cannot take: the message names it.</exception>
    public static NetworkSettings Read(string network, TrialParams p, int? epochs = null)
    {
        try
        {
            return new NetworkSettings(network, epochs ?? p.Int("epochs", min: 1), p.Int("bs", min: 1), OptimizerSettings.Read(p), p.YesNo("normalize"), NetworkShape.Read(network, p));
        }
        catch (InvalidTrialException e) when (e.MissingValue && Keys.TryGetValue(network, out var own))
        {
            throw new InvalidTrialException($"{e.Message} ({network} reads {SharedKeys}; and {own})", missingValue: true);
        }
    }

    /// <summary>
    /// For an experiment that trains a network: the first planned trial whose values the network cannot take, said in one
    /// line; null when every trial planned in advance can be read (or the experiment runs no network). Adaptive samplers'
    /// later trials draw from the same space, so the trials planned in advance stand for them.
    /// </summary>
    public static string? ProblemIn(ExperimentSpec spec)
    {
        if (spec.Commands is not null || !Keys.ContainsKey(spec.Trainer)) return null;
        var plan = TrialPlanner.Plan(spec, trialsOverride: (int)Math.Min(TrialPlanner.TotalTrials(spec), CheckedTrials));
        foreach (var trial in plan.Trials)
        {
            if (trial.Params is not { } values) continue;
            var p = new TrialParams(values);
            try
            {
                // The epochs may come from --epochs instead; every other key must be in the file.
                Read(spec.Trainer, p, p.Has("epochs") ? null : 1);
            }
            catch (InvalidTrialException e)
            {
                return $"{spec.Trainer} cannot train trial {trial.Index}: {e.Message}";
            }
        }
        return null;
    }

    private const int CheckedTrials = 64;
}

/// <summary>
/// <c>optimizer: adam|sgd</c> with the top-level <c>lr</c>, or a branch of a conditional space,
/// <c>optimizer: {name: sgd, lr: ..., momentum: ...}</c>, whose own values come first.
/// </summary>
public sealed record OptimizerSettings(string Name, double LearningRate, double Momentum)
{
    public static OptimizerSettings Read(TrialParams p)
    {
        if (p.Section("optimizer") is not { } branch) return new(p.Choice("optimizer", "adam", "sgd"), p.Real("lr", exclusiveMin: 0), 0);
        var name = branch.Choice("name", "adam", "sgd");
        var learningRate = branch.Has("lr") ? branch.Real("lr", exclusiveMin: 0) : p.Real("lr", exclusiveMin: 0);
        if (!branch.Has("momentum")) return new(name, learningRate, 0);
        if (name != "sgd") throw new InvalidTrialException("optimizer.momentum: only sgd takes a momentum; adam's betas are fixed at PyTorch's (0.9, 0.999)");
        return new(name, learningRate, branch.NonNegativeReal("momentum"));
    }
}

/// <summary>A network's architecture, as its keys give it.</summary>
public abstract record NetworkShape
{
    /// <summary>The keys that build this shape again (<see cref="Read"/> reads them back): what model.json records.</summary>
    public abstract ParamValue.Map Architecture { get; }

    public sealed record ConvNet(long FirstChannels, long SecondChannels) : NetworkShape
    {
        public override ParamValue.Map Architecture => Keyed(("out_channels", Ints([FirstChannels, SecondChannels])));
    }

    public sealed record Cae(int Depth, int FirstChannels, int LatentSize, double Reg) : NetworkShape
    {
        public override ParamValue.Map Architecture => Keyed(("depth", new ParamValue.Int(Depth)),
            ("first_conv_out_channels", new ParamValue.Int(FirstChannels)), ("latent_size", new ParamValue.Int(LatentSize)), ("reg", new ParamValue.Real(Reg)));
    }

    public sealed record ResNet(long[] Blocks, long[] Channels, double Reg) : NetworkShape
    {
        public override ParamValue.Map Architecture => Keyed(("number_of_blocks", Ints(Blocks)), ("num_channels", Ints(Channels)), ("reg", new ParamValue.Real(Reg)));
    }

    public sealed record Vae(long[] Sizes, double Reg) : NetworkShape
    {
        public override ParamValue.Map Architecture => Keyed(("autoencoder_sizes", Ints(Sizes)), ("reg", new ParamValue.Real(Reg)));
    }

    private static ParamValue.List Ints(long[] values) => new([.. values.Select(v => (ParamValue)new ParamValue.Int(v))]);

    private static ParamValue.Map Keyed(params (string Key, ParamValue Value)[] entries) => new([.. entries.Select(e => KeyValuePair.Create(e.Key, e.Value))]);

    public static NetworkShape Read(string network, TrialParams p) => network switch
    {
        "convnet" => ReadConvNet(p.IntList("out_channels", 2, min: 1)),
        "cae" => new Cae(p.Int("depth", min: 1), p.Int("first_conv_out_channels", min: 1), p.Int("latent_size", min: 1), p.NonNegativeReal("reg")),
        "resnet" => new ResNet(p.IntList("number_of_blocks", 4, min: 1), p.IntList("num_channels", 5, min: 1), p.NonNegativeReal("reg")),
        "vae" => new Vae(p.IntList("autoencoder_sizes", 4, min: 1), p.NonNegativeReal("reg")),
        _ => throw new InvalidTrialException($"no network is called '{network}'; known: convnet, cae, resnet, vae"),
    };

    private static ConvNet ReadConvNet(long[] channels) => new(channels[0], channels[1]);
}
