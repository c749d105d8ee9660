using System.Globalization;
using SweepCluster.Core.Spec;

namespace SweepCluster.Training.Trainers;

/// <summary>Reads a trial's hyperparameters by name, failing with a message that names the key and what it takes.</summary>
/// <param name="prefix">The path of a nested map's key in messages (<c>optimizer.</c>).</param>
public sealed class TrialParams(ParamValue.Map values, string prefix = "")
{
    public ParamValue.Map Values { get; } = values;

    public bool Has(string key) => Values[key] is not null;

    /// <summary>The map under <paramref name="key"/> (a branch of a conditional space), or null when the value is not a map.</summary>
    public TrialParams? Section(string key) => Values[key] is ParamValue.Map map ? new TrialParams(map, $"{prefix}{key}.") : null;

    public int Int(string key, int min = int.MinValue, int? fallback = null) => Value(key, fallback) switch
    {
        ParamValue.Int i when i.Value >= min && i.Value <= int.MaxValue => (int)i.Value,
        var v => throw new InvalidTrialException($"{prefix}{key}: needs a whole number >= {min} (got {Describe(v)})"),
    };

    public double Real(string key, double exclusiveMin = double.NegativeInfinity, double? fallback = null)
    {
        var v = Value(key, fallback);
        if (v.AsNumber() is { } number && number > exclusiveMin && double.IsFinite(number)) return number;
        throw new InvalidTrialException($"{prefix}{key}: needs a number > {exclusiveMin.ToString(CultureInfo.InvariantCulture)} (got {Describe(v)})");
    }

    public double NonNegativeReal(string key)
    {
        var v = Value(key, null);
        if (v.AsNumber() is { } number && number >= 0 && double.IsFinite(number)) return number;
        throw new InvalidTrialException($"{prefix}{key}: needs a number >= 0 (got {Describe(v)})");
    }

    public string Choice(string key, params string[] options)
    {
        var v = Value(key, null);
        if (v is ParamValue.Text t && options.Contains(t.Value)) return t.Value;
        throw new InvalidTrialException($"{prefix}{key}: needs one of {string.Join(", ", options.Select(o => $"'{o}'"))} (got {Describe(v)})");
    }

    /// <summary>'yes'/'no', as the study wrote it, or a YAML boolean.</summary>
    public bool YesNo(string key) => Value(key, null) switch
    {
        ParamValue.Bool b => b.Value,
        ParamValue.Text { Value: "yes" } => true,
        ParamValue.Text { Value: "no" } => false,
        var v => throw new InvalidTrialException($"{prefix}{key}: needs 'yes' or 'no' (got {Describe(v)})"),
    };

    public long[] IntList(string key, int length, long min)
    {
        var v = Value(key, null);
        if (v is not ParamValue.List list || list.Items.Length != length)
            throw new InvalidTrialException($"{prefix}{key}: needs a list of {length} whole numbers (got {Describe(v)})");
        return list.Items.Select((item, i) => item is ParamValue.Int n && n.Value >= min
            ? n.Value
            : throw new InvalidTrialException($"{prefix}{key}[{i}]: needs a whole number >= {min} (got {Describe(item)})")).ToArray();
    }

    public double[] RealList(string key, int length)
    {
        var v = Value(key, null);
        if (v is not ParamValue.List list || list.Items.Length != length)
            throw new InvalidTrialException($"{prefix}{key}: needs a list of {length} numbers (got {Describe(v)})");
        return [.. list.Items.Select((item, i) => item.AsNumber() ?? throw new InvalidTrialException($"{prefix}{key}[{i}]: needs a number (got {Describe(item)})"))];
    }

    private ParamValue Value(string key, object? fallback) => Values[key] ?? fallback switch
    {
        int i => new ParamValue.Int(i),
        double d => new ParamValue.Real(d),
        _ => throw new InvalidTrialException($"{prefix}{key}: the trial has no value for it; set it under params or param_space", missingValue: true),
    };

    private static string Describe(ParamValue v) => v is ParamValue.Text t ? $"'{t.Value}'" : v.ToString();
}
