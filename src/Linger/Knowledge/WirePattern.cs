namespace Linger.Knowledge;

/// <summary>What a capture shows for a failure (an RST with no FIN before it, a SYN left unanswered, ...).</summary>
/// <param name="Id">Shared id (<c>rst-no-fin</c>); texts are <c>wire.&lt;id&gt;.title</c> and <c>.text</c>.</param>
public sealed record WirePattern(string Id);
