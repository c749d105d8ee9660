using System.Collections.Immutable;
using System.Globalization;

namespace SweepCluster.Core.Spec;

/// <summary>A hyperparameter value as a trial sees it: a scalar, a list or a nested map.</summary>
public abstract record ParamValue
{
    private ParamValue() { }

    public sealed record Int(long Value) : ParamValue;

    public sealed record Real(double Value) : ParamValue;

    public sealed record Text(string Value) : ParamValue;

    public sealed record Bool(bool Value) : ParamValue;

    public sealed record Null : ParamValue
    {
        public static readonly Null Instance = new();
    }

    public sealed record List(ImmutableArray<ParamValue> Items) : ParamValue
    {
        public bool Equals(List? other) => other is not null && Items.SequenceEqual(other.Items);

        public override int GetHashCode() => Items.Aggregate(17, (hash, item) => HashCode.Combine(hash, item));
    }

    /// <summary>Keys keep the order they were written in, so plans print as the file reads.</summary>
    public sealed record Map(ImmutableArray<KeyValuePair<string, ParamValue>> Entries) : ParamValue
    {
        public static readonly Map Empty = new(ImmutableArray<KeyValuePair<string, ParamValue>>.Empty);

        public ParamValue? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;

        public bool Equals(Map? other) => other is not null && Entries.SequenceEqual(other.Entries);

        public override int GetHashCode() => Entries.Aggregate(17, (hash, entry) => HashCode.Combine(hash, entry.Key, entry.Value));
    }

    /// <summary>The scalar leaves with dotted names, <c>out_channels.0</c>, <c>optimizer.lr</c> (a scalar is its own leaf, named <paramref name="name"/>).</summary>
    public IEnumerable<(string Name, ParamValue Value)> Leaves(string name = "") => this switch
    {
        Map map => map.Entries.SelectMany(e => e.Value.Leaves(Join(name, e.Key))),
        List list => list.Items.SelectMany((item, i) => item.Leaves(Join(name, i.ToString(CultureInfo.InvariantCulture)))),
        _ => [(name, this)],
    };

    private static string Join(string prefix, string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";

    /// <summary>The scalar as a plain .NET value for JSON columns: long, double, string, bool or null.</summary>
    public object? AsPlain() => this switch
    {
        Int i => i.Value,
        Real r => r.Value,
        Text t => t.Value,
        Bool b => b.Value,
        _ => null,
    };

    /// <summary>The value as a double when it is a number (for bounds and metrics).</summary>
    public double? AsNumber() => this switch
    {
        Int i => i.Value,
        Real r => r.Value,
        _ => null,
    };

    /// <summary>Compact, Python-like text for tables: <c>[14, 18]</c>, <c>'adam'</c>, <c>0.00177</c>.</summary>
    public sealed override string ToString() => this switch
    {
        Int i => i.Value.ToString(CultureInfo.InvariantCulture),
        Real r => FormatReal(r.Value),
        Text t => t.Value,
        Bool b => b.Value ? "true" : "false",
        Null => "null",
        List list => "[" + string.Join(", ", list.Items) + "]",
        Map map => "{" + string.Join(", ", map.Entries.Select(e => $"{e.Key}: {e.Value}")) + "}",
        _ => throw new InvalidOperationException("unreachable: ParamValue is closed"),
    };

    private static string FormatReal(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
