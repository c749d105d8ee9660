using System.Collections.Immutable;

namespace SweepCluster.Core.Spec;

/// <summary>A node of <c>param_space</c>: a constant, a searched dimension, a list or a nested map.</summary>
public abstract record SpaceNode;

public sealed record ConstantNode(ParamValue Value) : SpaceNode;

/// <param name="Path">Where the dimension sits below <c>param_space</c>, e.g. <c>out_channels[1]</c>.</param>
public sealed record DimensionNode(string Path, Distribution Distribution) : SpaceNode;

public sealed record ListNode(ImmutableArray<SpaceNode> Items) : SpaceNode
{
    public bool Equals(ListNode? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.Aggregate(17, HashCode.Combine);
}

public sealed record MapNode(ImmutableArray<KeyValuePair<string, SpaceNode>> Entries) : SpaceNode
{
    public bool Equals(MapNode? other) => other is not null && Entries.SequenceEqual(other.Entries);

    public override int GetHashCode() => Entries.Aggregate(17, (hash, e) => HashCode.Combine(hash, e.Key, e.Value));
}

/// <summary>The searched part of an experiment, with its dimensions listed once in file order.</summary>
public sealed class SearchSpace
{
    public SearchSpace(MapNode root)
    {
        Root = root;
        Dimensions = Collect(root).ToImmutableArray();
    }

    public static SearchSpace Empty { get; } = new(new MapNode(ImmutableArray<KeyValuePair<string, SpaceNode>>.Empty));

    public MapNode Root { get; }

    public ImmutableArray<DimensionNode> Dimensions { get; }

    /// <summary>Builds the trial's parameters, asking <paramref name="valueOf"/> for each dimension's value.</summary>
    public ParamValue.Map Materialize(Func<DimensionNode, ParamValue> valueOf) => (ParamValue.Map)Build(Root, valueOf);

    private static ParamValue Build(SpaceNode node, Func<DimensionNode, ParamValue> valueOf) => node switch
    {
        ConstantNode c => c.Value,
        DimensionNode d => valueOf(d),
        ListNode l => new ParamValue.List(l.Items.Select(i => Build(i, valueOf)).ToImmutableArray()),
        MapNode m => new ParamValue.Map(m.Entries.Select(e => KeyValuePair.Create(e.Key, Build(e.Value, valueOf))).ToImmutableArray()),
        _ => throw new InvalidOperationException("unreachable: SpaceNode is closed"),
    };

    private static IEnumerable<DimensionNode> Collect(SpaceNode node) => node switch
    {
        DimensionNode d => [d],
        ListNode l => l.Items.SelectMany(Collect),
        MapNode m => m.Entries.SelectMany(e => Collect(e.Value)),
        _ => [],
    };
}
