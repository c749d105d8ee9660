using YamlDotNet.RepresentationModel;

namespace SweepCluster.Core.Spec;

/// <summary>
/// An experiment file with top-level keys set (added or replaced), as YAML again: what a sweep runs is then still one
/// experiment text, journalled and shown like any other, and the parser checks the new values as it checks a file's.
/// </summary>
public static class ExperimentOverrides
{
    public static string With(string yaml, IReadOnlyDictionary<string, string> topLevel)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ArgumentException("the experiment is not a mapping of keys", nameof(yaml));
        foreach (var (key, value) in topLevel) root.Children[new YamlScalarNode(key)] = new YamlScalarNode(value);
        var text = new StringWriter();
        stream.Save(text, assignAnchors: false);
        return text.ToString();
    }
}
