using System.Globalization;
using System.Net.Sockets;
using Linger.Flows;
using Linger.Flows.Internal;
using Linger.Knowledge;

namespace Linger.Tests.Flows;

/// <summary>
/// The codes the verdicts name as what each application most likely saw are written out in the rule (an analysis
/// does not load the knowledge base for them): every one must be an entry of the knowledge base, named as it names
/// it, and the .NET code on Linux must be the one the knowledge base maps the errno to.
/// </summary>
public sealed class LikelyErrorCodesTests
{
    public static TheoryData<int> Lists => [.. Enumerable.Range(0, LikelyErrorRule.All.Count)];

    [Theory]
    [MemberData(nameof(Lists))]
    public void Every_code_is_the_knowledge_base_entry_named_as_it_names_it(int list)
    {
        var errors = LikelyErrorRule.All[list];
        Assert.Equal(4, errors.Count);
        foreach (var error in errors)
        {
            var entry = KnowledgeBase.Default.Find(error.EntryId);
            Assert.NotNull(entry);
            Assert.Equal(error.Domain, entry.Domain);
            var expected = entry.Domain switch
            {
                KnowledgeDomain.WinSock => $"{entry.Name} {entry.Number?.ToString(CultureInfo.InvariantCulture)}",
                KnowledgeDomain.DotNet => "SocketError." + entry.Name,
                _ => entry.Name,
            };
            Assert.Equal(expected, error.DisplayName);
        }
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public void The_dotnet_codes_are_the_ones_the_knowledge_base_maps_to(int list)
    {
        var errors = LikelyErrorRule.All[list];
        var errno = KnowledgeBase.Default.Find(Single(errors, OsPlatform.Linux, KnowledgeDomain.Errno).EntryId)!;
        var winsock = KnowledgeBase.Default.Find(Single(errors, OsPlatform.Windows, KnowledgeDomain.WinSock).EntryId)!;

        Assert.Equal($"dotnet.{errno.DotNet[OsPlatform.Linux]}", Single(errors, OsPlatform.Linux, KnowledgeDomain.DotNet).EntryId);
        Assert.Equal($"dotnet.{(SocketError)winsock.Number!.Value}", Single(errors, OsPlatform.Windows, KnowledgeDomain.DotNet).EntryId);
    }

    private static LikelyError Single(IReadOnlyList<LikelyError> errors, OsPlatform platform, KnowledgeDomain domain) =>
        Assert.Single(errors, e => e.Platform == platform && e.Domain == domain);
}
