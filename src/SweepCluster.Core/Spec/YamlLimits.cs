using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SweepCluster.Core.Spec;

/// <summary>
/// What an experiment file may hold before it is read into a tree: a size, a nesting depth, and no aliases. Checked on the
/// parser's events, which need no recursion, so that no file can overflow the stack of the node that reads it (a map nested
/// 10,000 deep did) or make it expand a few hundred bytes of aliases into gigabytes.
/// </summary>
public static class YamlLimits
{
    public const int MaxBytes = 1 << 20;
    public const int MaxDepth = 32;

    /// <summary>The first limit the text breaks, with where; null when it keeps them all.</summary>
    public static (Mark At, string Problem)? Check(string yaml)
    {
        if (yaml.Length > MaxBytes)
            return (Mark.Empty, $"the file holds {yaml.Length} characters; an experiment file is at most {MaxBytes} (1 MiB)");
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case AnchorAlias alias:
                        return (alias.Start, $"YAML aliases (*{alias.Value}) are not accepted in an experiment file; write the value out");
                    case MappingStart or SequenceStart when ++depth > MaxDepth:
                        return (parser.Current.Start, $"the file nests more than {MaxDepth} levels deep; an experiment needs a handful");
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            return null; // not valid YAML: reading it says where and why
        }
        return null;
    }
}
