using System.Text;
using System.Text.Json;

namespace SweepCluster.Cli.Output;

/// <summary>Every --format json document: indented UTF-8, one document per command, ending in a newline.</summary>
internal static class JsonOutput
{
    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true })) write(json);
        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
