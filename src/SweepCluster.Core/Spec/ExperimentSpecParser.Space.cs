using System.Collections.Immutable;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Core.Spec;

/// <summary><c>param_space</c>: constants, dimensions, lists and maps of them, and choices of branches.</summary>
public static partial class ExperimentSpecParser
{
    private sealed partial class Reader
    {
        private SearchSpace? ReadSpace(YamlNode node, SamplerKind sampler)
        {
            if (Mapping(node, "param_space") is not { } map) return null;
            return ReadSpaceNode(map, new Place("param_space", "", null), sampler) is MapNode root ? new SearchSpace(root) : null;
        }

        /// <summary>Where a node of param_space sits: its key path for errors, the path of a dimension there, and the branch it is in.</summary>
        private sealed record Place(string KeyPath, string DimensionPath, BranchCondition? Condition)
        {
            public Place Key(string key) => this with { KeyPath = Join(KeyPath, key), DimensionPath = DimensionPath.Length == 0 ? key : $"{DimensionPath}.{key}" };

            public Place Item(int i) => this with { KeyPath = $"{KeyPath}[{i}]", DimensionPath = $"{DimensionPath}[{i}]" };
        }

        private SpaceNode? ReadSpaceNode(YamlNode node, Place place, SamplerKind sampler)
        {
            switch (node)
            {
                case YamlScalarNode scalar:
                    var text = scalar.Value ?? "";
                    return DistributionParser.LooksLikeDistribution(text)
                        ? ReadDimension(node, text, place, sampler)
                        : new ConstantNode(scalar.Style == ScalarStyle.Plain ? ScalarResolver.ResolvePlain(text) : new ParamValue.Text(text));
                case YamlSequenceNode seq:
                    var items = RejoinSplitCalls(seq).Select((child, i) => child.Text is null
                        ? ReadSpaceNode(child.Node, place.Item(i), sampler)
                        : ReadDimension(child.Node, child.Text, place.Item(i), sampler)).ToList();
                    return items.Contains(null) ? null : new ListNode([.. items.Cast<SpaceNode>()]);
                default:
                    var map = (YamlMappingNode)node;
                    if (map.Children.Count == 1 && map.Children.Single() is { Key: YamlScalarNode { Value: "choice" }, Value: YamlSequenceNode options }
                        && options.Children.Any(o => o is YamlMappingNode))
                        return ReadBranches(options, place, sampler);
                    var entries = map.Children.Select(e => (Key: KeyText(e.Key, place.KeyPath), e.Value))
                        .Select(e => (e.Key, Value: e.Key is null ? null : ReadSpaceNode(e.Value, place.Key(e.Key), sampler))).ToList();
                    return entries.Any(e => e.Key is null || e.Value is null)
                        ? null
                        : new MapNode([.. entries.Select(e => KeyValuePair.Create<string, SpaceNode>(e.Key!, e.Value!))]);
            }
        }

        /// <summary>
        /// <c>choice:</c> with maps for options: a <see cref="BranchNode"/>. Each branch starts with the same key set to a
        /// constant of its own (its label, e.g. <c>name: sgd</c>); its dimensions are searched only when it is taken.
        /// </summary>
        private BranchNode? ReadBranches(YamlSequenceNode options, Place place, SamplerKind sampler)
        {
            var choicePath = Join(place.KeyPath, "choice");
            var labels = new ParamValue?[options.Children.Count];
            string? labelKey = null;
            for (var k = 0; k < options.Children.Count; k++)
            {
                var branchPath = $"{choicePath}[{k}]";
                if (options.Children[k] is not YamlMappingNode { Children.Count: > 0 } branch)
                {
                    Error(options.Children[k].Start, branchPath, "every option of a choice of branches is a map of that branch's parameters, starting with its name, "
                        + "e.g. {name: sgd, lr: loguniform(0.001, 0.1)}; for a choice of plain values write choice([...])");
                    continue;
                }
                var (key, value) = branch.Children.First();
                if (key is not YamlScalarNode { Value: { Length: > 0 } keyText } || value is not YamlScalarNode { Value: { } labelText } labelNode
                    || DistributionParser.LooksLikeDistribution(labelText))
                {
                    Error(key.Start, branchPath, "a branch's first key names it with a constant (e.g. name: sgd), so that a trial's parameters show which branch it took");
                    continue;
                }
                labelKey ??= keyText;
                var label = labelNode.Style == ScalarStyle.Plain ? ScalarResolver.ResolvePlain(labelText) : new ParamValue.Text(labelText);
                if (keyText != labelKey)
                    Error(key.Start, Join(branchPath, keyText), $"every branch starts with the same key, which names it; the first starts with '{labelKey}'");
                else if (Array.IndexOf(labels, label) is var earlier and >= 0)
                    Error(labelNode.Start, Join(branchPath, keyText), $"branches {earlier} and {k} are both {labelKey}: {label}; give each branch a name of its own");
                else labels[k] = label;
            }
            var selector = new DimensionNode(place.DimensionPath, new Choice([.. labels.OfType<ParamValue>()]), place.Condition);
            // Every branch's contents are read, so that their errors are reported with the others.
            var branches = options.Children.Select((branch, k) => branch is YamlMappingNode
                ? ReadSpaceNode(branch, place with { KeyPath = $"{choicePath}[{k}]", Condition = new BranchCondition(selector, labels[k] ?? ParamValue.Null.Instance) }, sampler)
                : null).ToList();
            return labels.Contains(null) || branches.Contains(null) ? null : new BranchNode(selector, labelKey!, [.. branches.Cast<MapNode>()]);
        }

        private DimensionNode? ReadDimension(YamlNode node, string text, Place place, SamplerKind sampler)
        {
            var path = place.KeyPath;
            var distribution = DistributionParser.Parse(text, out var error);
            if (distribution is null)
            {
                Error(node.Start, path, Depth(text) > 0
                    ? $"{error}; inside {{...}} YAML splits at commas: quote the expression, e.g. '{text}, ...)', or write the map in block style"
                    : error!);
                return null;
            }
            if (sampler == SamplerKind.Grid && distribution.Cardinality is null)
            {
                Error(node.Start, path, $"sampler grid runs every value, and {distribution} has infinitely many: "
                    + "use grid([...]), choice([...]) or a quantized distribution, or another sampler");
                return null;
            }
            if (distribution is Grid && place.Condition is not null && sampler != SamplerKind.Grid)
            {
                Error(node.Start, path, $"grid([...]) inside a branch runs only under sampler: grid, which enumerates the branches too; "
                    + "use choice([...]) here, or sampler: grid");
                return null;
            }
            // A dotted key (a.b:) and a nested one (a: {b:}) name the same parameter: searched twice, both would draw from one stream.
            if (!_dimensions.TryAdd((place.DimensionPath, place.Condition), node.Start.Line))
            {
                Error(node.Start, path, $"{place.DimensionPath} is already searched at line {_dimensions[(place.DimensionPath, place.Condition)]}: "
                    + "a dotted key (a.b: ...) and a nested one (a: {b: ...}) name the same parameter; give it once");
                return null;
            }
            return new DimensionNode(place.DimensionPath, distribution, place.Condition);
        }

        /// <summary>The line of each dimension read so far, by path and branch.</summary>
        private readonly Dictionary<(string Path, BranchCondition? Condition), long> _dimensions = [];

        /// <summary>
        /// In a flow list YAML splits at every comma, so <c>[randint(2, 20), randint(2, 20)]</c> arrives as four
        /// pieces; pieces of one call (unbalanced parentheses) are joined back, keeping the first piece's position.
        /// </summary>
        private static List<(YamlNode Node, string? Text)> RejoinSplitCalls(YamlSequenceNode seq)
        {
            var result = new List<(YamlNode, string?)>();
            for (var i = 0; i < seq.Children.Count; i++)
            {
                if (seq.Style != YamlDotNet.Core.Events.SequenceStyle.Flow || seq.Children[i] is not YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text } first
                    || Depth(text) <= 0)
                {
                    result.Add((seq.Children[i], null));
                    continue;
                }
                while (Depth(text) > 0 && i + 1 < seq.Children.Count && seq.Children[i + 1] is YamlScalarNode { Value: { } next })
                {
                    text += ", " + next;
                    i++;
                }
                result.Add((first, text));
            }
            return result;
        }

        private static int Depth(string text) => text.Count(c => c == '(') - text.Count(c => c == ')');
    }
}
