using System.Net;
using System.Text.Json;
using SweepCluster.Core.Results;

namespace SweepCluster.Node.Endpoint;

/// <summary>What a command answers: JSON data for scripts and the same as text for people, or an error.</summary>
public sealed record CommandResult(HttpStatusCode Status, string DataJson, string Text, string? Error = null, IReadOnlyList<string>? Errors = null)
{
    public static CommandResult Ok(Action<Utf8JsonWriter> data, string text) => new(HttpStatusCode.OK, SweepReport.Json(data), text);

    /// <summary>The request was invalid (exit 2 on the client): an experiment with errors, a bad switch value.</summary>
    public static CommandResult Invalid(string error, IReadOnlyList<string>? errors = null) => new(HttpStatusCode.BadRequest, "null", "", error, errors);

    /// <summary>The command could not be carried out (exit 1 on the client).</summary>
    public static CommandResult Failed(string error) => new(HttpStatusCode.UnprocessableEntity, "null", "", error);

    public string ToJson() => SweepReport.Json(w =>
    {
        w.WriteStartObject();
        if (Error is null)
        {
            w.WritePropertyName("data");
            w.WriteRawValue(DataJson);
            w.WriteString("text", Text);
        }
        else
        {
            w.WriteString("error", Error);
            if (Errors is not null)
            {
                w.WriteStartArray("errors");
                foreach (var e in Errors) w.WriteStringValue(e);
                w.WriteEndArray();
            }
        }
        w.WriteEndObject();
    });
}
