using Linger.Knowledge;

namespace Linger.Flows;

/// <summary>
/// One error an application on one side most likely saw, on one platform, as a knowledge-base entry
/// (<c>linger explain</c> shows the rest).
/// </summary>
/// <param name="Platform">The operating system the application runs on.</param>
/// <param name="Domain">The table the code belongs to: <see cref="KnowledgeDomain.Errno"/>,
/// <see cref="KnowledgeDomain.WinSock"/> or <see cref="KnowledgeDomain.DotNet"/> (.NET's <c>SocketError</c> on that
/// platform).</param>
/// <param name="EntryId">The knowledge-base entry id (<c>errno.ECONNRESET</c>, <c>winsock.10054</c>,
/// <c>dotnet.ConnectionReset</c>).</param>
/// <param name="DisplayName">The code as people write it (<c>ECONNRESET</c>, <c>WSAECONNRESET 10054</c>,
/// <c>SocketError.ConnectionReset</c>).</param>
/// <param name="Call">Which call reports it.</param>
public sealed record LikelyError(OsPlatform Platform, KnowledgeDomain Domain, string EntryId, string DisplayName, FailingCall Call);
