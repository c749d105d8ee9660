using System.Collections.Immutable;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Core.Spec;

/// <summary>The small readers of the experiment file: each reads one kind of value, reports its own error and returns null on failure.</summary>
public static partial class ExperimentSpecParser
{
    private sealed partial class Reader
    {
        /// <summary>The mapping's entries by key; unknown keys are reported with the nearest known one.</summary>
        private Dictionary<string, (YamlScalarNode Key, YamlNode Value)> Keys(YamlMappingNode map, string path, IReadOnlyCollection<string> known)
        {
            var result = new Dictionary<string, (YamlScalarNode, YamlNode)>();
            foreach (var (keyNode, value) in map.Children)
            {
                if (KeyText(keyNode, path) is not { } key) continue;
                if (!known.Contains(key))
                {
                    var hint = KeyHints.DidYouMean(key, known);
                    Error(keyNode.Start, Join(path, key), $"unknown key{(hint.Length > 0 ? hint : "; known keys: " + string.Join(", ", known))}");
                    continue;
                }
                result[key] = ((YamlScalarNode)keyNode, value);
            }
            return result;
        }

        private string? KeyText(YamlNode key, string path)
        {
            if (key is YamlScalarNode { Value: { Length: > 0 } text }) return text;
            Error(key.Start, path, "keys must be plain names");
            return null;
        }

        private T? Required<T>(YamlMappingNode owner, Dictionary<string, (YamlScalarNode Key, YamlNode Value)> keys, string key,
            string what, Func<YamlNode, T?> read, string? path = null)
        {
            if (keys.TryGetValue(key, out var entry)) return read(entry.Value);
            Error(owner.Start, path ?? key, $"required key is missing: {what}");
            return default;
        }

        private string? RequiredText(YamlMappingNode owner, Dictionary<string, (YamlScalarNode Key, YamlNode Value)> keys, string key,
            string what, string? path = null) =>
            Required(owner, keys, key, what, n => Text(n, path ?? key), path);

        private static T? Optional<T>(Dictionary<string, (YamlScalarNode Key, YamlNode Value)> keys, string key, T fallback, Func<YamlNode, T?> read) =>
            keys.TryGetValue(key, out var entry) ? read(entry.Value) : fallback;

        private YamlMappingNode? Mapping(YamlNode node, string path)
        {
            if (node is YamlMappingNode map) return map;
            Error(node.Start, path, "needs a mapping of keys below it");
            return null;
        }

        private string? Text(YamlNode node, string path)
        {
            if (node is YamlScalarNode { Value: { Length: > 0 } text }) return text;
            Error(node.Start, path, "needs a non-empty text value");
            return null;
        }

        private double? Number(YamlNode node, string path)
        {
            if (node is YamlScalarNode { Style: ScalarStyle.Plain } s && ScalarResolver.ResolvePlain(s.Value ?? "").AsNumber() is { } n) return n;
            Error(node.Start, path, $"needs a number (got {Describe(node)})");
            return null;
        }

        private long? Integer(YamlNode node, string path, long min)
        {
            if (node is YamlScalarNode { Style: ScalarStyle.Plain } s && ScalarResolver.ResolvePlain(s.Value ?? "") is ParamValue.Int i)
            {
                if (i.Value >= min) return i.Value;
                Error(node.Start, path, $"needs an integer >= {min} (got {i.Value})");
                return null;
            }
            Error(node.Start, path, $"needs a whole number{(min > long.MinValue ? $" >= {min}" : "")} (got {Describe(node)})");
            return null;
        }

        private bool? Flag(YamlNode node, string path)
        {
            if (node is YamlScalarNode { Style: ScalarStyle.Plain } s && ScalarResolver.ResolvePlain(s.Value ?? "") is ParamValue.Bool b) return b.Value;
            Error(node.Start, path, $"needs true or false (got {Describe(node)})");
            return null;
        }

        private T? Enum<T>(YamlNode node, string path, Dictionary<string, T> names) where T : struct
        {
            var text = Text(node, path);
            if (text is null) return null;
            if (names.TryGetValue(text, out var value)) return value;
            var hint = KeyHints.DidYouMean(text, names.Keys);
            Error(node.Start, path, $"'{text}' is not one of {string.Join(", ", names.Keys)}{hint}");
            return null;
        }

        private static string Describe(YamlNode node) => node switch
        {
            YamlScalarNode s => $"'{s.Value}'",
            YamlSequenceNode => "a list",
            _ => "a mapping",
        };

        private static string Join(string path, string? key) => path.Length == 0 ? key ?? "" : $"{path}.{key}";

        private void Error(Mark at, string path, string message) =>
            Errors.Add(new SpecError(source, (int)Math.Max(1, at.Line), (int)Math.Max(1, at.Column), path, message));

        private void Notice(Mark at, string path, string message) =>
            Notices.Add(new SpecError(source, (int)Math.Max(1, at.Line), (int)Math.Max(1, at.Column), path, message));
    }
}
