namespace Linger.Probe;

/// <summary>What a probe concluded: what was seen, the likely cause (from the knowledge base) and the fix.</summary>
/// <param name="Id">A stable id (<c>ehlo-reset</c>, <c>pasv-private-address</c>).</param>
/// <param name="Stage">The stage it concerns.</param>
/// <param name="Summary">What was seen, in one or two sentences.</param>
/// <param name="LikelyCause">The likely cause, in words.</param>
/// <param name="Fix">What to do.</param>
/// <param name="ExplainCode">A code <c>linger explain</c> knows (<c>ECONNRESET</c>, <c>0x800CCC0E</c>), or null.</param>
public sealed record Finding(string Id, string Stage, string Summary, string LikelyCause, string Fix, string? ExplainCode);
