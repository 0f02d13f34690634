using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ballot.Core.Sealing;

/// <summary>Elements and scalars travel as base64 of their canonical encodings; reading one validates it.</summary>
public static class SealingJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new FormatException($"Expected a {typeof(T).Name}, got null.");
}

public sealed class ElementJsonConverter : JsonConverter<Element>
{
    public override Element Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Element.Decode(reader.GetBytesFromBase64());

    public override void Write(Utf8JsonWriter writer, Element value, JsonSerializerOptions options) =>
        writer.WriteBase64StringValue(value.Encode());
}

/// <summary>A list of elements as one base64 string of 64-byte affine points (<see cref="Element.EncodeAffineAll"/>): a trustee's 175,000 shares decode on every core without a square root.</summary>
public sealed class AffineElementsJsonConverter : JsonConverter<IReadOnlyList<Element>>
{
    public override IReadOnlyList<Element> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Element.DecodeAffineAll(reader.GetBytesFromBase64());

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<Element> value, JsonSerializerOptions options) =>
        writer.WriteBase64StringValue(Element.EncodeAffineAll(value));
}

public sealed class ScalarJsonConverter : JsonConverter<Scalar>
{
    public override Scalar Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Scalar.Decode(reader.GetBytesFromBase64());

    public override void Write(Utf8JsonWriter writer, Scalar value, JsonSerializerOptions options) =>
        writer.WriteBase64StringValue(value.Encode());
}

/// <summary>A ceremony or count step that failed a check; names the trustee at fault when there is one.</summary>
public sealed class SealingException(string message, int? trustee = null) : Exception(message)
{
    public int? Trustee { get; } = trustee;
}
