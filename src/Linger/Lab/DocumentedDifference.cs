namespace Linger.Lab;

/// <summary>What another platform does differently, from documentation (never measured by this run), with its source.</summary>
/// <param name="Id">The knowledge base's difference id (<c>write-after-peer-close</c>).</param>
/// <param name="Title">What differs.</param>
/// <param name="Platform">The platform (<c>windows</c>).</param>
/// <param name="Text">What that platform does.</param>
/// <param name="Source">Where that is documented.</param>
public sealed record DocumentedDifference(string Id, string Title, string Platform, string Text, string Source);
