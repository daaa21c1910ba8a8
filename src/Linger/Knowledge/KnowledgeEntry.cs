using System.Globalization;
using System.Net.Sockets;

namespace Linger.Knowledge;

/// <summary>
/// One code or message in the knowledge base: its identity (numbers, names, texts programs print), the entries for
/// the same condition elsewhere, and, for connection failures, the wire patterns, causes and platform differences.
/// The words (title, summary) live in the resource files and are read through <see cref="KnowledgeBase"/>.
/// </summary>
public sealed record KnowledgeEntry
{
    /// <summary>Unique id, <c>domain.key</c> (<c>winsock.10054</c>, <c>errno.ECONNRESET</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The table the entry belongs to.</summary>
    public required KnowledgeDomain Domain { get; init; }

    /// <summary>The code's number, when it has one platform-independent number.</summary>
    public long? Number { get; init; }

    /// <summary>errno only: the number per platform (they differ: ECONNRESET is 104 on Linux and 54 on macOS).</summary>
    public IReadOnlyDictionary<OsPlatform, int> Numbers { get; init; } = new Dictionary<OsPlatform, int>();

    /// <summary>errno only: the <see cref="SocketError"/> .NET reports for this errno on each Unix platform.</summary>
    public IReadOnlyDictionary<OsPlatform, SocketError> DotNet { get; init; } = new Dictionary<OsPlatform, SocketError>();

    /// <summary>The symbolic name (<c>WSAECONNRESET</c>, <c>IXP_E_FAILED_TO_CONNECT</c>), if any.</summary>
    public string? Name { get; init; }

    /// <summary>Other names people type for the same code (<c>EWOULDBLOCK</c> for <c>EAGAIN</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Programs only: the program or runtime that prints the text.</summary>
    public string? Program { get; init; }

    /// <summary>Verbatim fragments the software prints; used to recognise pasted lines.</summary>
    public IReadOnlyList<string> Messages { get; init; } = [];

    /// <summary>Ids of entries for the same condition in other tables.</summary>
    public IReadOnlyList<string> Related { get; init; } = [];

    /// <summary>Where the facts come from, by name.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>True for connection-failure entries, which carry wire patterns and causes.</summary>
    public bool IsFailure { get; init; }

    /// <summary>Ids of the wire patterns this failure shows (see <see cref="WirePattern"/>).</summary>
    public IReadOnlyList<string> WireIds { get; init; } = [];

    /// <summary>Ids of the causes, most common first (see <see cref="Cause"/>).</summary>
    public IReadOnlyList<string> CauseIds { get; init; } = [];

    /// <summary>Ids of the platform differences that apply (see <see cref="PlatformDifference"/>).</summary>
    public IReadOnlyList<string> DifferenceIds { get; init; } = [];

    /// <summary>
    /// The code as people write it: <c>10054</c>, <c>0x800CCC0E</c>, <c>ECONNRESET</c>, <c>5.7.1</c>.
    /// </summary>
    public string DisplayCode => Domain switch
    {
        KnowledgeDomain.Outlook when Number is { } n => "0x" + n.ToString("X8", CultureInfo.InvariantCulture),
        KnowledgeDomain.Errno or KnowledgeDomain.SmtpEnhanced => Name ?? Id,
        KnowledgeDomain.Program => Program ?? Id,
        _ when Number is { } n => n.ToString(CultureInfo.InvariantCulture),
        _ => Name ?? Id,
    };

    /// <summary>Every name this entry answers to: its name and aliases.</summary>
    public IEnumerable<string> AllNames
    {
        get
        {
            if (Name is not null)
            {
                yield return Name;
            }

            foreach (var a in Aliases)
            {
                yield return a;
            }
        }
    }
}
