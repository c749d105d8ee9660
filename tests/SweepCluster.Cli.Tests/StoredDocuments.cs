using System.Text.Json;
using System.Text.Json.Nodes;

namespace SweepCluster.Cli.Tests;

/// <summary>What an earlier release printed (tests/fixtures/journal-vN/expected), compared with what this one prints.</summary>
internal static class StoredDocuments
{
    public static JsonNode Expected(string fixture, string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepoPaths.Fixture(fixture, "expected", name)));
        return AsNode(document.RootElement);
    }

    /// <summary>
    /// The document as JSON readers see it: a key written twice keeps its last value, as in Python, JavaScript and jq
    /// (v1's <c>sweep status</c> wrote <c>running</c> as a count and then as the list of running trials).
    /// </summary>
    public static JsonNode AsNode(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(new JsonObject(), (o, p) => { o[p.Name] = AsNode(p.Value); return o; }),
        JsonValueKind.Array => new JsonArray([.. element.EnumerateArray().Select(AsNode)]),
        _ => JsonValue.Create(element.Clone())!,
    };

    public static void AssertSame(JsonNode expected, JsonNode actual, string what, string release) =>
        Assert.That(JsonNode.DeepEquals(expected, actual), Is.True,
            $"{what} differs from {release}'s:\n{release}: {Shortened(expected)}\nnow: {Shortened(actual)}");

    private static string Shortened(JsonNode node) => node.ToJsonString() is var json && json.Length > 2000 ? json[..2000] : json;

    /// <summary>
    /// The document with its <c>run_directory</c> in the store a node now runs on: a journal recorded its run folders in the
    /// store that wrote it, and a node on a copy of that store uses its own (the trials' artifact folders stay where they were).
    /// </summary>
    public static JsonNode InStore(JsonNode document, string store)
    {
        var copy = document.DeepClone();
        copy["run_directory"] = Path.Combine(store, "runs", Path.GetFileName(copy["run_directory"]!.GetValue<string>()));
        return copy;
    }

    /// <summary>The sweep's entry in a <c>sweep list</c> document.</summary>
    public static JsonNode Listed(JsonNode list, string id) => list["sweeps"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == id)!;
}
