using System.Globalization;
using Linger.Knowledge;

namespace Linger.Probe.Tcp;

/// <summary>
/// A finding whose cause is one of two the wire cannot tell apart (a refusal from an empty port looks exactly like
/// a firewall's reject): both titles and both fixes come from the knowledge base.
/// </summary>
internal static class CauseChoice
{
    public static void Find(ProbeSession session, string id, string stage, string summary, string firstCause, string secondCause, string? explainCode)
    {
        var knowledge = KnowledgeBase.Default;
        var culture = CultureInfo.GetCultureInfo("en");
        string Title(string cause) => knowledge.Text($"cause.{cause}.title", culture) ?? cause;
        string Fix(string cause) => knowledge.Text($"cause.{cause}.fix", culture) ?? string.Empty;
        var fix = string.Join(" Otherwise: ", new[] { Fix(firstCause), Fix(secondCause) }.Where(f => f.Length > 0));
        session.Find(new Finding(id, stage, summary, $"{Title(firstCause)}, or {InSentence(Title(secondCause))}", fix, explainCode));
    }

    /// <summary>A title continuing a sentence: "A firewall rejects..." becomes "a firewall rejects...", "ISP ..." stays.</summary>
    private static string InSentence(string title) =>
        title.Length > 1 && char.IsUpper(title[0]) && !char.IsUpper(title[1])
            ? char.ToLower(title[0], CultureInfo.InvariantCulture) + title[1..]
            : title;
}
