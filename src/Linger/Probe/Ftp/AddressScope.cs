using System.Net;
using System.Net.Sockets;

namespace Linger.Probe.Ftp;

/// <summary>Whether an address can be reached from outside its own network: what a 227 reply must be judged by.</summary>
public static class AddressScope
{
    /// <summary>
    /// True for addresses no client on the Internet can reach: private (RFC 1918, RFC 4193), carrier-grade NAT,
    /// loopback, link-local, unspecified, multicast and reserved. A server behind NAT that announces one of these in
    /// 227 sends clients to a place they cannot go.
    /// </summary>
    public static bool IsPrivateOrUnroutable(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal
                || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        }

        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return b[0] switch
        {
            0 or 10 or 127 or >= 224 => true,
            100 => b[1] is >= 64 and < 128,
            169 => b[1] == 254,
            172 => b[1] is >= 16 and < 32,
            192 => b[1] == 168 || (b[1] == 0 && b[2] is 0 or 2),
            198 => b[1] is 18 or 19 || (b[1] == 51 && b[2] == 100),
            203 => b[1] == 0 && b[2] == 113,
            _ => false,
        };
    }
}
