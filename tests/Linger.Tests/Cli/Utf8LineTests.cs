using System.Text;
using System.Text.Json;
using Linger.Cli.Analyze;

namespace Linger.Tests.Cli;

/// <summary>The JSON Lines emitter writes JSON that a standard parser reads back to the same values.</summary>
public sealed class Utf8LineTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("quote \" and backslash \\")]
    [InlineData("control \u0001 \t \n characters")]
    [InlineData("кириллица and emoji \U0001F600 and é")]
    [InlineData("")]
    public void Strings_round_trip_through_a_standard_parser(string value)
    {
        var line = new Utf8Line();
        line.StartObject();
        line.String("s"u8, value);
        line.Number("n"u8, -42L);
        line.Number("d"u8, 0.000123);
        line.Bool("b"u8, true);
        line.Null("z"u8);
        line.StartArray("a"u8);
        line.StringValue(value);
        line.EndArray();
        line.EndObject();

        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(line.Written));
        Assert.Equal(value, doc.RootElement.GetProperty("s").GetString());
        Assert.Equal(-42, doc.RootElement.GetProperty("n").GetInt64());
        Assert.Equal(0.000123, doc.RootElement.GetProperty("d").GetDouble());
        Assert.True(doc.RootElement.GetProperty("b").GetBoolean());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("z").ValueKind);
        Assert.Equal(value, doc.RootElement.GetProperty("a")[0].GetString());
    }
}
