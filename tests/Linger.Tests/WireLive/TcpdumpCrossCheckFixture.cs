using System.Diagnostics;

namespace Linger.Tests.WireLive;

/// <summary>
/// A capture of varied packets written once for the cross-checks: IPv4 and IPv6 TCP segments between many
/// addresses and ports, plus what a filter must handle without being fooled: IPv4 options, IPv4 fragments, IPv6
/// extension headers, UDP on the same ports, ICMP and ARP.
/// </summary>
public sealed class TcpdumpCrossCheckFixture : IDisposable
{
    private static readonly string[] V4Hosts =
    [
        "10.0.0.1", "10.0.0.2", "10.0.1.7", "10.1.2.3", "10.255.0.1", "192.168.1.10", "192.168.200.1",
        "172.16.5.4", "172.31.255.254", "172.32.0.1", "127.0.0.1", "8.8.8.8",
    ];

    private static readonly string[] V6Hosts =
    [
        "2001:db8::1", "2001:db8::2", "2001:db8:1::2", "2001:db8:ffff::9", "2001:db9::5", "fe80::1",
        "fe80::abcd", "::1", "2001:db8::a00:1",
    ];

    private static readonly ushort[] Ports = [0, 22, 80, 443, 1023, 1024, 5000, 5003, 5005, 5006, 8080, 33000, 65535];

    public TcpdumpCrossCheckFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "linger-filter-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);

        var random = new Random(20260301);
        var packets = new List<SyntheticPacket>();
        uint sequence = 1000;
        for (var i = 0; i < 160; i++)
        {
            packets.Add(SyntheticPacket.Tcp4(
                V4Hosts[random.Next(V4Hosts.Length)], V4Hosts[random.Next(V4Hosts.Length)],
                Ports[random.Next(Ports.Length)], Ports[random.Next(Ports.Length)], sequence++));
        }

        for (var i = 0; i < 120; i++)
        {
            packets.Add(SyntheticPacket.Tcp6(
                V6Hosts[random.Next(V6Hosts.Length)], V6Hosts[random.Next(V6Hosts.Length)],
                Ports[random.Next(Ports.Length)], Ports[random.Next(Ports.Length)], sequence++));
        }

        packets.Add(SyntheticPacket.Tcp4("10.0.0.1", "10.0.0.2", 80, 33000, sequence++, optionWords: 3));
        packets.Add(SyntheticPacket.Tcp4("192.168.1.10", "10.0.0.1", 5003, 443, sequence++, optionWords: 10));
        packets.Add(SyntheticPacket.Tcp4("10.0.0.1", "10.0.0.2", 80, 443, sequence++, moreFragments: true));
        packets.Add(SyntheticPacket.Tcp4("10.0.0.1", "10.0.0.2", 80, 443, sequence++, fragmentOffset: 185));
        packets.Add(SyntheticPacket.Tcp6("2001:db8::1", "2001:db8::2", 80, 443, sequence++, SyntheticPacket.Ipv6Wrapping.HopByHopHeader));
        packets.Add(SyntheticPacket.Tcp6("2001:db8::1", "2001:db8::2", 80, 443, sequence++, SyntheticPacket.Ipv6Wrapping.FragmentHeader));
        packets.Add(SyntheticPacket.Udp("10.0.0.1", "10.0.0.2", 80, 443));
        packets.Add(SyntheticPacket.Udp("10.0.0.2", "192.168.1.10", 5003, 22));
        packets.Add(SyntheticPacket.Udp("2001:db8::1", "::1", 443, 8080));
        packets.Add(SyntheticPacket.Icmp4("10.0.0.1", "8.8.8.8"));
        packets.Add(SyntheticPacket.Arp("10.0.0.1", "10.0.0.2"));

        Packets = packets;
        InputPath = Path.Combine(Directory, "in.pcap");
        ClassicPcap.Write(InputPath, ClassicPcap.LinkTypeEthernet, packets.Select(p => p.EthernetFrame()));

        var seen = new HashSet<string>();
        foreach (var packet in packets)
        {
            if (!seen.Add(Convert.ToHexString(packet.EthernetFrame())))
            {
                throw new InvalidOperationException($"two identical packets ({packet}): tcpdump's output could not be told apart");
            }
        }
    }

    public string Directory { get; }

    public string InputPath { get; }

    internal IReadOnlyList<SyntheticPacket> Packets { get; }

    /// <summary>Indexes (into <see cref="Packets"/>) of the packets tcpdump keeps for <paramref name="expression"/>.</summary>
    internal HashSet<int> KeptByTcpdump(string expression)
    {
        var output = Path.Combine(Directory, Guid.NewGuid().ToString("N") + ".pcap");
        var psi = new ProcessStartInfo("tcpdump") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (string[])["-r", InputPath, "-w", output, expression])
        {
            psi.ArgumentList.Add(argument);
        }

        using (var process = Process.Start(psi) ?? throw new InvalidOperationException("tcpdump did not start"))
        {
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                throw new TimeoutException($"tcpdump did not finish in 30 s on '{expression}'");
            }

            if (process.ExitCode != 0 && stderr.Result.Contains("expression rejects all packets", StringComparison.Ordinal))
            {
                return [];
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"tcpdump rejected '{expression}': {stderr.Result}");
            }
        }

        var index = new Dictionary<string, int>();
        for (var i = 0; i < Packets.Count; i++)
        {
            index[Convert.ToHexString(Packets[i].EthernetFrame())] = i;
        }

        var kept = new HashSet<int>();
        foreach (var frame in ClassicPcap.Read(output))
        {
            kept.Add(index[Convert.ToHexString(frame)]);
        }

        return kept;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
