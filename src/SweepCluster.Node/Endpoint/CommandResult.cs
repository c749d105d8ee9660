using System.Net;
using System.Text.Json.Serialization;
using SweepCluster.Core.Json;

namespace SweepCluster.Node.Endpoint;

/// <summary>What a command answers: a JSON document for scripts and the same as text for people, or an error.</summary>
public sealed record CommandResult(HttpStatusCode Status, object? Data, string Text, string? Error = null, IReadOnlyList<string>? Errors = null)
{
    public static CommandResult Ok(object data, string text) => new(HttpStatusCode.OK, data, text);

    /// <summary>The request was invalid (exit 2 on the client): an experiment with errors, a bad switch value.</summary>
    public static CommandResult Invalid(string error, IReadOnlyList<string>? errors = null) => new(HttpStatusCode.BadRequest, null, "", error, errors);

    /// <summary>The command could not be carried out (exit 1 on the client).</summary>
    public static CommandResult Failed(string error) => new(HttpStatusCode.UnprocessableEntity, null, "", error);

    /// <summary>No coordinator answered (one may be taking over after a failure): asking again later can succeed.</summary>
    public static CommandResult Unavailable(string error) => new(HttpStatusCode.ServiceUnavailable, null, "", error);

    /// <summary>The response body: <c>{"data": ..., "text": ...}</c>, or <c>{"error": ..., "errors": [...]}</c>.</summary>
    public string ToJson() => Error is null ? SweepJson.Serialize(new Answer(Data, Text)) : SweepJson.Serialize(new Refusal(Error, Errors));

    private sealed record Answer(object? Data, string Text);

    private sealed record Refusal(string Error, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Errors);
}
