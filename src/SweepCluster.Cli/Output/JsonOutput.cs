using SweepCluster.Core.Json;

namespace SweepCluster.Cli.Output;

/// <summary>Every --format json document: one document per command, as <see cref="SweepJson"/> writes it, ending in a newline.</summary>
internal static class JsonOutput
{
    public static void Write<T>(TextWriter output, T document) => output.WriteLine(SweepJson.Serialize(document));
}
