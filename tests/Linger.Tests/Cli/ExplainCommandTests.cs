using System.Text.Json;
using Linger.Cli;
using Linger.Cli.Output;
using Linger.Tests.Support;

namespace Linger.Tests.Cli;

/// <summary><c>linger explain</c> as a user and a script meet it: pages, JSON, languages, exit codes.</summary>
public sealed class ExplainCommandTests
{
    [Fact]
    public void Explaining_10054_prints_its_name_wire_causes_and_differences_and_exits_0()
    {
        var r = LingerRunner.Run("explain", "10054");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("WSAECONNRESET", r.Stdout);
        Assert.Contains("What the wire shows", r.Stdout);
        Assert.Contains("Likely causes", r.Stdout);
        Assert.Contains("ECONNRESET", r.Stdout);
        Assert.Equal(string.Empty, r.Stderr);
    }

    [Theory]
    [InlineData("10054")]
    [InlineData("0x800CCC0E")]
    [InlineData("421")]
    [InlineData("ECONNRESET", "--lang", "ru")]
    [InlineData("--list")]
    public void Every_line_of_the_page_fits_80_columns(params string[] args)
    {
        var r = LingerRunner.Run(["explain", .. args]);
        Assert.Equal(0, r.ExitCode);
        Assert.All(r.Stdout.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= 80, $"too wide ({line.Length}): {line}"));
    }

    [Fact]
    public void A_pasted_sentence_is_found()
    {
        var r = LingerRunner.Run("explain", "An existing connection was forcibly closed by the remote host");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("10054", r.Stdout);
    }

    [Fact]
    public void Several_words_are_read_as_one_pasted_text()
    {
        var r = LingerRunner.Run("explain", "socket", "error", "10054");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("WSAECONNRESET", r.Stdout);
    }

    [Fact]
    public void Russian_is_chosen_with_lang_ru()
    {
        var r = LingerRunner.Run("explain", "ECONNRESET", "--lang", "ru");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Вероятные причины", r.Stdout);
        Assert.Contains(r.Stdout, c => c is >= 'а' and <= 'я');
    }

    [Fact]
    public void Json_output_follows_the_documented_schema()
    {
        var r = LingerRunner.Run("explain", "10053", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal("linger.explain/1", root.GetProperty("schema").GetString());
        Assert.Equal("10053", root.GetProperty("query").GetString());
        Assert.True(root.GetProperty("found").GetBoolean());
        var top = root.GetProperty("readings")[0];
        Assert.Equal("winsock.10053", top.GetProperty("id").GetString());
        Assert.Equal("winsock", top.GetProperty("domain").GetString());
        Assert.Equal(10053, top.GetProperty("number").GetInt64());
        Assert.Equal("WSAECONNABORTED", top.GetProperty("name").GetString());
        Assert.True(top.GetProperty("failure").GetBoolean());
        Assert.NotEmpty(top.GetProperty("title").GetString()!);
        Assert.NotEmpty(top.GetProperty("summary").GetString()!);
        Assert.True(top.GetProperty("why").GetArrayLength() > 0);
        Assert.True(top.GetProperty("wire").GetArrayLength() > 0);
        var cause = top.GetProperty("causes")[0];
        Assert.Equal(1, cause.GetProperty("rank").GetInt32());
        foreach (var field in new[] { "id", "title", "confirm", "fix" })
        {
            Assert.NotEmpty(cause.GetProperty(field).GetString()!);
        }

        Assert.Equal(JsonValueKind.Array, cause.GetProperty("commands").ValueKind);
        foreach (var d in top.GetProperty("differences").EnumerateArray())
        {
            foreach (var n in d.GetProperty("notes").EnumerateArray())
            {
                Assert.Contains(n.GetProperty("evidence").GetString(), new[] { "measured", "documented" });
            }
        }

        Assert.Equal(JsonValueKind.Array, top.GetProperty("related").ValueKind);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("suggestions").ValueKind);
    }

    [Fact]
    public void Json_lists_every_reading_of_an_ambiguous_number()
    {
        var r = LingerRunner.Run("explain", "421", "--json");
        using var doc = JsonDocument.Parse(r.Stdout);
        var ids = doc.RootElement.GetProperty("readings").EnumerateArray().Select(x => x.GetProperty("id").GetString()).ToList();
        Assert.Contains("ftp.421", ids);
        Assert.Contains("smtp.421", ids);
    }

    [Fact]
    public void Nonsense_exits_1_with_suggestions_on_stderr()
    {
        var r = LingerRunner.Run("explain", "ECONNRESTE");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ECONNRESET", r.Stderr);
        Assert.Equal(string.Empty, r.Stdout);
    }

    [Fact]
    public void Nonsense_in_json_exits_1_with_found_false_and_suggestions()
    {
        var r = LingerRunner.Run("explain", "frobnicate", "--json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.False(doc.RootElement.GetProperty("found").GetBoolean());
        Assert.True(doc.RootElement.GetProperty("suggestions").GetArrayLength() > 0);
    }

    [Theory]
    [InlineData("explain")]
    [InlineData("explain", "--lang", "de", "10054")]
    [InlineData("explain", "--bogus")]
    [InlineData("explain", "--list", "10054")]
    [InlineData("explain", "10054", "--platform", "linux")]
    [InlineData("frobnicate")]
    public void Usage_errors_exit_2_with_a_message_and_no_stack_trace(params string[] args)
    {
        var r = LingerRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.NotEmpty(r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Theory]
    [InlineData("windows", "10054")]
    [InlineData("linux", "104")]
    [InlineData("macos", "54")]
    [InlineData("dotnet", "ConnectionReset")]
    [InlineData("outlook", "0x800CCC0E")]
    [InlineData("ftp", "425")]
    [InlineData("smtp", "554")]
    public void List_by_platform_shows_that_table(string platform, string expected)
    {
        var r = LingerRunner.Run("explain", "--list", "--platform", platform);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(expected, r.Stdout);
    }

    [Fact]
    public void List_json_counts_its_entries()
    {
        var r = LingerRunner.Run("explain", "--list", "--platform", "linux", "--json");
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(doc.RootElement.GetProperty("entries").GetArrayLength(), doc.RootElement.GetProperty("count").GetInt32());
        Assert.All(doc.RootElement.GetProperty("entries").EnumerateArray(), e => Assert.Equal("errno", e.GetProperty("domain").GetString()));
    }

    [Fact]
    public async Task The_real_executable_prints_no_colour_when_redirected_and_exits_0()
    {
        var r = await LingerRunner.RunProcessAsync(null, "explain", "10054");
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("\u001b[", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("WSAECONNRESET", r.Stdout);
    }

    [Fact]
    public async Task The_real_executable_follows_LANG_for_Russian()
    {
        var r = await LingerRunner.RunProcessAsync(new Dictionary<string, string> { ["LANG"] = "ru_RU.UTF-8", ["LC_ALL"] = "ru_RU.UTF-8" }, "explain", "10054");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Вероятные причины", r.Stdout);
    }

    [Fact]
    public async Task The_real_executable_reports_usage_errors_with_exit_2()
    {
        var r = await LingerRunner.RunProcessAsync(null, "explain");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("explain needs something to explain", r.Stderr);
    }

    [Fact]
    public void Colour_is_used_only_when_the_console_allows_it()
    {
        using var colour = new StringWriter();
        using var err = new StringWriter();
        Assert.Equal(0, LingerApp.Run(["explain", "10054"], colour, err, new ConsoleOptions(Colour: true, Width: 80)));
        Assert.Contains("\u001b[", colour.ToString(), StringComparison.Ordinal);

        var plain = LingerRunner.Run("explain", "10054");
        Assert.DoesNotContain("\u001b[", plain.Stdout, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task On_a_terminal_colour_is_on_unless_NO_COLOR_is_set()
    {
        var sgr = new System.Text.RegularExpressions.Regex("\u001b\\[[0-9;]*m");
        var onTerminal = await LingerRunner.RunInTerminalAsync(null, "explain", "EPIPE");
        Assert.Equal(0, onTerminal.ExitCode);
        Assert.Matches(sgr, onTerminal.Stdout);

        var noColor = await LingerRunner.RunInTerminalAsync(new Dictionary<string, string> { ["NO_COLOR"] = "1" }, "explain", "EPIPE");
        Assert.Equal(0, noColor.ExitCode);
        Assert.Contains("EPIPE", noColor.Stdout);
        Assert.DoesNotMatch(sgr, noColor.Stdout);
    }
}
