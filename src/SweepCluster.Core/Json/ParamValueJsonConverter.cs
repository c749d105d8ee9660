using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SweepCluster.Core.Spec;

namespace SweepCluster.Core.Json;

/// <summary>
/// ParamValue as plain JSON: numbers, strings, booleans, null, arrays, objects. With <paramref name="markReals"/> (messages
/// and journals) reals always carry a decimal point or exponent, so that 5.0 comes back a real and 5 an integer; published
/// documents write numbers as JSON does (5.0 as 5), as they always have.
/// </summary>
public sealed class ParamValueJsonConverter(bool markReals) : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeof(ParamValue).IsAssignableFrom(typeToConvert);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Typed<>).MakeGenericType(typeToConvert), [markReals])!;

    public static ParamValue Read(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                var raw = System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
                return raw.IndexOfAny(['.', 'e', 'E']) < 0 && reader.TryGetInt64(out var i)
                    ? new ParamValue.Int(i)
                    : new ParamValue.Real(reader.GetDouble());
            case JsonTokenType.String: return new ParamValue.Text(reader.GetString()!);
            case JsonTokenType.True: return new ParamValue.Bool(true);
            case JsonTokenType.False: return new ParamValue.Bool(false);
            case JsonTokenType.Null: return ParamValue.Null.Instance;
            case JsonTokenType.StartArray:
                var items = ImmutableArray.CreateBuilder<ParamValue>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) items.Add(Read(ref reader));
                return new ParamValue.List(items.ToImmutable());
            case JsonTokenType.StartObject:
                var entries = ImmutableArray.CreateBuilder<KeyValuePair<string, ParamValue>>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    entries.Add(KeyValuePair.Create(key, Read(ref reader)));
                }
                return new ParamValue.Map(entries.ToImmutable());
            default:
                throw new JsonException($"unexpected {reader.TokenType} in a parameter value");
        }
    }

    public static void Write(Utf8JsonWriter writer, ParamValue value, bool markReals)
    {
        switch (value)
        {
            case ParamValue.Real r when markReals && double.IsFinite(r.Value):
                var text = r.Value.ToString("R", CultureInfo.InvariantCulture);
                writer.WriteRawValue(text.IndexOfAny(['.', 'E', 'e']) < 0 ? text + ".0" : text);
                break;
            case ParamValue.Real r: writer.WriteNumberValue(r.Value); break;
            case ParamValue.Int i: writer.WriteNumberValue(i.Value); break;
            case ParamValue.Text t: writer.WriteStringValue(t.Value); break;
            case ParamValue.Bool b: writer.WriteBooleanValue(b.Value); break;
            case ParamValue.Null: writer.WriteNullValue(); break;
            case ParamValue.List list:
                writer.WriteStartArray();
                foreach (var item in list.Items) Write(writer, item, markReals);
                writer.WriteEndArray();
                break;
            case ParamValue.Map map:
                writer.WriteStartObject();
                foreach (var (key, item) in map.Entries)
                {
                    writer.WritePropertyName(key);
                    Write(writer, item, markReals);
                }
                writer.WriteEndObject();
                break;
        }
    }

    private sealed class Typed<T>(bool markReals) : JsonConverter<T> where T : ParamValue
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            ParamValueJsonConverter.Read(ref reader) as T ?? throw new JsonException($"expected a {typeof(T).Name} parameter value");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => ParamValueJsonConverter.Write(writer, value, markReals);
    }
}
