using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SweepCluster.Core.Json;

/// <summary>
/// How every published JSON document is written (sweep.json, trial.json, each <c>--format json</c> output and the
/// command endpoint): snake_case names, lower-case enum values, indented, and no escaping of characters that need
/// none in a file or a terminal (timestamps print <c>+00:00</c>).
/// </summary>
public static class SweepJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new ParamValueJsonConverter(markReals: false), new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>One line, default escaping: for what is hashed rather than read, whose bytes must not change.</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false, Encoder = JavaScriptEncoder.Default };

    /// <summary>
    /// What nodes store and send one another (journal events and snapshots, messages, a running sweep's trials.jsonl): one
    /// line, the record's own names, reals marked as reals so that 1.0 reads back as a real.
    /// </summary>
    public static readonly JsonSerializerOptions Stored = new()
    {
        Converters = { new ParamValueJsonConverter(markReals: true), new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string Serialize<T>(T document) => JsonSerializer.Serialize(document, Options);
}
