using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// The TCP ports Zeek treats as likely server ports when it decides who originated a connection whose start it did
/// not see. Zeek builds <c>likely_server_ports</c> from the protocol scripts it loads; this is the set its base
/// scripts register (FTP, SSH, SMTP, DNS, HTTP, Kerberos, POP3, DCE-RPC/SMB, IMAP, LDAP, SSL/TLS, Modbus, MQTT,
/// MySQL, RDP, IRC, XMPP, PostgreSQL, Redis, DNP3, SOCKS, WHOIS). A Zeek run with other scripts may differ.
/// </summary>
internal static class LikelyServerPorts
{
    private static readonly ulong[] Bits = Build(
    [
        21, 22, 25, 43, 53, 80, 81, 88, 110, 135, 139, 143, 261, 389, 443, 445, 448, 465, 502, 563, 585, 587, 614,
        631, 636, 989, 990, 992, 993, 994, 995, 1080, 1433, 1434, 1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223,
        5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
    ]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Contains(ushort port) => (Bits[port >> 6] & (1UL << (port & 63))) != 0;

    private static ulong[] Build(int[] ports)
    {
        var bits = new ulong[65536 / 64];
        foreach (var p in ports)
        {
            bits[p >> 6] |= 1UL << (p & 63);
        }

        return bits;
    }
}
