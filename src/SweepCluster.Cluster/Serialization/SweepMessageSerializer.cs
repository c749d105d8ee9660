using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace SweepCluster.Cluster.Serialization;

/// <summary>
/// System.Text.Json for every <see cref="ISweepMessage"/>, with the type's name as the string manifest: readable
/// on the wire, stable across versions of the assembly, and no Newtonsoft type names.
/// </summary>
public sealed class SweepMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 5417;

    public static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new ParamValueJsonConverter(), new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private static readonly FrozenDictionary<string, Type> TypesByManifest = typeof(ISweepMessage).Assembly.GetTypes()
        .Where(t => typeof(ISweepMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
        .ToFrozenDictionary(t => t.Name);

    public override int Identifier => Id;

    public override string Manifest(object o) => o.GetType().Name;

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        TypesByManifest.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Options)!
            : throw new System.Runtime.Serialization.SerializationException($"unknown sweep message type '{manifest}'");
}
