using System.Collections.Immutable;
using SweepCluster.Core.Sampling;

namespace SweepCluster.Core.Spec;

/// <summary>A node of <c>param_space</c>: a constant, a searched dimension, a list or a nested map.</summary>
public abstract record SpaceNode;

public sealed record ConstantNode(ParamValue Value) : SpaceNode;

/// <param name="Path">Where the dimension sits below <c>param_space</c>, e.g. <c>out_channels[1]</c> or <c>optimizer.lr</c>.</param>
/// <param name="Condition">The branch the dimension belongs to; null for one every trial has.</param>
public sealed record DimensionNode(string Path, Distribution Distribution, BranchCondition? Condition = null) : SpaceNode
{
    /// <summary>The dotted name of its value among a trial's parameter leaves (<see cref="ParamValue.Leaves"/>): <c>out_channels.1</c> for <c>out_channels[1]</c>.</summary>
    public string Leaf => Path.Replace("[", ".", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal);

    /// <summary>True for a dimension searched on a log scale.</summary>
    public bool IsLogScaled => Distribution is LogUniform or QLogUniform;

    /// <summary>The path, with the branch when it has one: <c>optimizer.lr (when optimizer=sgd)</c>.</summary>
    public string Name => Condition is null ? Path : $"{Path} (when {Condition})";
}

/// <summary>A dimension in a branch is searched only in trials whose selector took the branch's label (and whose selector is itself active).</summary>
public sealed record BranchCondition(DimensionNode Selector, ParamValue Label)
{
    public override string ToString() => (Selector.Condition is { } outer ? $"{outer}, " : "") + $"{Selector.Path}={Label}";
}

/// <summary>
/// A choice between sub-spaces (<c>optimizer: {choice: [{name: adam, lr: ...}, {name: sgd, lr: ..., momentum: ...}]}</c>):
/// a trial takes one branch and its parameters hold only that branch's values. Each branch starts with the same key
/// (<see cref="LabelKey"/>) set to a constant of its own, its label, so that a trial's parameters show the branch it took.
/// <see cref="Selector"/> is the dimension that chooses: a <see cref="Choice"/> of the labels, at the branch's path.
/// </summary>
public sealed record BranchNode(DimensionNode Selector, string LabelKey, ImmutableArray<MapNode> Branches) : SpaceNode
{
    public ImmutableArray<ParamValue> Labels => ((Choice)Selector.Distribution).Options;

    public bool Equals(BranchNode? other) => other is not null && Selector == other.Selector && LabelKey == other.LabelKey && Branches.SequenceEqual(other.Branches);

    public override int GetHashCode() => Branches.Aggregate(HashCode.Combine(Selector, LabelKey), HashCode.Combine);
}

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

/// <summary>The searched part of an experiment, with its dimensions listed once in file order (a branch's selector before its branches' dimensions).</summary>
public sealed class SearchSpace
{
    private readonly Dictionary<DimensionNode, BranchNode> _branchesBySelector = new(ReferenceEqualityComparer.Instance);

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
        BranchNode b => Build(b.Branches[b.Labels.IndexOf(valueOf(b.Selector))], valueOf),
        _ => throw new InvalidOperationException("unreachable: SpaceNode is closed"),
    };

    /// <summary>True when the space has branches: some dimensions are searched only in some trials.</summary>
    public bool HasBranches => _branchesBySelector.Count > 0;

    /// <summary>
    /// The dimension's value in a trial's parameters: for a selector the label of the branch taken; null when the trial did
    /// not take the dimension's branch, or has no value there (a trial of an earlier space).
    /// </summary>
    public ParamValue? ValueOf(ParamValue.Map parameters, DimensionNode dimension)
    {
        if (dimension.Condition is { } condition && !Equals(ValueOf(parameters, condition.Selector), condition.Label)) return null;
        var value = ParamPath.Get(parameters, dimension.Path);
        return _branchesBySelector.TryGetValue(dimension, out var branch) ? (value as ParamValue.Map)?[branch.LabelKey] : value;
    }

    /// <summary>True when the trial took the dimension's branch (and the branches around it): always for a dimension outside branches.</summary>
    public bool IsSearchedIn(ParamValue.Map parameters, DimensionNode dimension) =>
        dimension.Condition is not { } condition
        || (IsSearchedIn(parameters, condition.Selector) && Equals(ValueOf(parameters, condition.Selector), condition.Label));

    private IEnumerable<DimensionNode> Collect(SpaceNode node)
    {
        switch (node)
        {
            case DimensionNode d:
                return [d];
            case ListNode l:
                return l.Items.SelectMany(Collect).ToList();
            case MapNode m:
                return m.Entries.SelectMany(e => Collect(e.Value)).ToList();
            case BranchNode b:
                _branchesBySelector[b.Selector] = b;
                return [b.Selector, .. b.Branches.SelectMany(Collect)];
            default:
                return [];
        }
    }
}
