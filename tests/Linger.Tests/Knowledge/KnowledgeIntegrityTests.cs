using System.Globalization;
using System.Net.Sockets;
using System.Reflection;
using Linger.Knowledge;
using Linger.Tests.Support;

namespace Linger.Tests.Knowledge;

/// <summary>The tables checked against reality (the .NET runtime, the running libc) and against their own references.</summary>
public sealed class KnowledgeIntegrityTests
{
    private static readonly CultureInfo English = CultureInfo.InvariantCulture;
    private static readonly CultureInfo Russian = CultureInfo.GetCultureInfo("ru");
    private readonly KnowledgeBase _kb = KnowledgeBase.Default;

    /// <summary>The connection-failure entries the knowledge base must explain in depth (issue 2).</summary>
    public static readonly TheoryData<string> FailureIds = new(
        "winsock.10053", "winsock.10054", "winsock.10060", "winsock.10061", "winsock.10065", "winsock.10051",
        "winsock.10048", "winsock.10049", "winsock.10055", "winsock.10058", "winsock.11001", "winsock.11004",
        "errno.EPIPE", "outlook.0x800CCC0E", "outlook.0x800CCC0F", "outlook.0x800CCC13", "outlook.0x800CCC19",
        "outlook.0x800CCC1A", "outlook.0x800CCC67", "ftp.421", "ftp.425", "ftp.426", "smtp.421", "smtp.554");

    [Fact]
    public void Every_SocketError_member_of_the_running_runtime_has_an_entry_with_its_value()
    {
        foreach (var member in Enum.GetValues<SocketError>())
        {
            var entry = _kb.Find("dotnet." + member);
            Assert.True(entry is not null, $"SocketError.{member} has no entry");
            Assert.Equal((long)(int)member, entry.Number);
            Assert.Equal(member.ToString(), entry.Name);
        }
    }

    [Fact]
    public void Every_WinSock_code_in_the_documented_ranges_is_present()
    {
        // The codes Microsoft's "Windows Sockets Error Codes" page and winerror.h define in 10004–10112 and 11001–11033.
        int[] expected =
        [
            10004, 10009, 10013, 10014, 10022, 10024, .. Enumerable.Range(10035, 37), 10091, 10092, 10093,
            .. Enumerable.Range(10101, 12), .. Enumerable.Range(11001, 33),
        ];
        foreach (var code in expected)
        {
            Assert.True(_kb.Find("winsock." + code.ToString(CultureInfo.InvariantCulture)) is not null, $"WinSock {code} is missing");
        }

        foreach (var code in (int[])[6, 8, 87, 995, 996, 997])
        {
            Assert.True(_kb.Find("overlapped." + code.ToString(CultureInfo.InvariantCulture)) is not null, $"overlapped {code} is missing");
        }
    }

    [LinuxFact]
    public void Linux_errno_numbers_and_names_match_the_running_libc()
    {
        var errnos = _kb.Entries.Where(e => e.Domain == KnowledgeDomain.Errno && e.Numbers.ContainsKey(OsPlatform.Linux)).ToList();
        Assert.True(errnos.Count >= 40, "expected the networking errno table");
        foreach (var e in errnos)
        {
            var number = e.Numbers[OsPlatform.Linux];
            var libcName = Libc.ErrnoName(number);
            // Some names share a number on Linux (ENOTSUP and EOPNOTSUPP are both 95); libc returns one of them.
            var namesForNumber = errnos.Where(x => x.Numbers[OsPlatform.Linux] == number).SelectMany(x => x.AllNames).ToList();
            Assert.True(libcName is not null && namesForNumber.Contains(libcName), $"{e.Name}: Linux {number} is {libcName} in libc");
            Assert.True(
                e.Messages.Contains(Libc.StrError(number), StringComparer.Ordinal),
                $"{e.Name}: strerror({number}) is '{Libc.StrError(number)}', not among its messages");
        }
    }

    [Fact]
    public void Every_entry_has_an_English_title_and_summary()
    {
        foreach (var e in _kb.Entries)
        {
            Assert.False(string.IsNullOrWhiteSpace(_kb.TextExact(e.Id + ".title", English)), $"{e.Id} has no title");
            Assert.False(string.IsNullOrWhiteSpace(_kb.TextExact(e.Id + ".summary", English)), $"{e.Id} has no summary");
        }
    }

    [Theory]
    [MemberData(nameof(FailureIds))]
    public void Connection_failure_entries_carry_wire_causes_and_Russian_text(string id)
    {
        var e = _kb.Find(id);
        Assert.NotNull(e);
        Assert.True(e.IsFailure);
        Assert.NotEmpty(e.WireIds);
        Assert.NotEmpty(e.CauseIds);
        foreach (var key in new[] { id + ".title", id + ".summary" })
        {
            var ru = _kb.TextExact(key, Russian);
            Assert.False(string.IsNullOrWhiteSpace(ru), $"{key} has no Russian text");
            Assert.Contains(ru, c => c is >= 'а' and <= 'я' or >= 'А' and <= 'Я');
        }

        var view = _kb.View(e, Russian);
        Assert.All(view.Causes, c => Assert.False(string.IsNullOrWhiteSpace(c.Fix)));
        Assert.All(view.Wire, w => Assert.False(string.IsNullOrWhiteSpace(w.Text)));
    }

    [Fact]
    public void Every_reference_resolves()
    {
        foreach (var e in _kb.Entries)
        {
            Assert.All(e.Related, id => Assert.True(_kb.Find(id) is not null, $"{e.Id} relates to missing {id}"));
            Assert.All(e.WireIds, id => Assert.True(_kb.FindWire(id) is not null, $"{e.Id} shows missing wire pattern {id}"));
            Assert.All(e.CauseIds, id => Assert.True(_kb.FindCause(id) is not null, $"{e.Id} names missing cause {id}"));
            Assert.All(e.DifferenceIds, id => Assert.True(_kb.FindDifference(id) is not null, $"{e.Id} names missing difference {id}"));
        }
    }

    [Fact]
    public void Causes_wire_patterns_and_differences_have_texts_in_English_and_Russian()
    {
        var keys = new List<string>();
        keys.AddRange(_kb.WirePatterns.SelectMany(w => new[] { $"wire.{w.Id}.title", $"wire.{w.Id}.text" }));
        keys.AddRange(_kb.Causes.SelectMany(c => new[] { $"cause.{c.Id}.title", $"cause.{c.Id}.confirm", $"cause.{c.Id}.fix" }));
        keys.AddRange(_kb.Differences.SelectMany(d => d.Notes.Select(n => $"diff.{d.Id}.{n.Platform.ToWireName()}").Append($"diff.{d.Id}.title")));
        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            Assert.False(string.IsNullOrWhiteSpace(_kb.TextExact(key, English)), $"{key} has no English text");
            Assert.False(string.IsNullOrWhiteSpace(_kb.TextExact(key, Russian)), $"{key} has no Russian text");
        }
    }

    [Fact]
    public void Every_measured_note_names_a_test_that_exists()
    {
        var tests = typeof(KnowledgeIntegrityTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => $"{t.Name}.{m.Name}"))
            .ToHashSet(StringComparer.Ordinal);
        var measured = _kb.Differences.SelectMany(d => d.Notes).Where(n => n.Evidence == Evidence.Measured).ToList();
        Assert.NotEmpty(measured);
        Assert.All(measured, n => Assert.Contains(n.MeasuredBy ?? "(none)", tests));
        Assert.All(
            _kb.Differences.SelectMany(d => d.Notes).Where(n => n.Evidence == Evidence.Documented),
            n => Assert.False(string.IsNullOrWhiteSpace(n.Source)));
    }

    [Fact]
    public void Every_entry_names_its_sources()
    {
        Assert.All(_kb.Entries, e => Assert.True(e.Sources.Count > 0, $"{e.Id} names no source"));
    }

    [Fact]
    public void Errno_numbers_differ_between_Linux_and_macOS_where_they_should()
    {
        var reset = _kb.Find("errno.ECONNRESET");
        Assert.NotNull(reset);
        Assert.Equal(104, reset.Numbers[OsPlatform.Linux]);
        Assert.Equal(54, reset.Numbers[OsPlatform.MacOS]);
        Assert.Equal(SocketError.Shutdown, _kb.Find("errno.EPIPE")!.DotNet[OsPlatform.Linux]);
        Assert.Equal(SocketError.ConnectionAborted, _kb.Find("errno.ECONNABORTED")!.DotNet[OsPlatform.Linux]);
    }
}
