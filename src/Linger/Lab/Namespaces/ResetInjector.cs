using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Linger.Wire;
using Linger.Wire.Decoding;
using Linger.Wire.Live;

namespace Linger.Lab.Namespaces;

/// <summary>
/// A third party on the path, in the router's namespace: it watches the server's packets (an AF_PACKET capture) to
/// learn the sequence number the client expects next, then forges a RST in the server's name with a raw IP socket,
/// the way on-path censors and "connection killers" do. It writes the IP header itself, so it chooses the TTL.
/// </summary>
internal sealed class ResetInjector : IDisposable
{
    private const int HeaderLength = 40;
    private readonly LiveCapture _sniffer;
    private readonly Socket _raw;
    private long _frames;

    private ResetInjector(LiveCapture sniffer, Socket raw)
    {
        _sniffer = sniffer;
        _raw = raw;
    }

    /// <summary>Starts watching the packets the server sends from <paramref name="serverPort"/>, from inside the router.</summary>
    public static ResetInjector Open(NamespaceSite site, int serverPort, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(site);
        return site.Invoke(NetworkNode.Router, () =>
        {
            var sniffer = LiveCapture.Open(new LiveCaptureOptions
            {
                Interface = "any",
                Filter = string.Create(CultureInfo.InvariantCulture, $"tcp src port {serverPort}"),
                RingSize = 1024 * 1024,
                BlockTimeout = TimeSpan.FromMilliseconds(10),
                CancellationToken = cancellationToken,
            });
            try
            {
                // IPPROTO_RAW implies IP_HDRINCL: the injector supplies the whole IP header.
                return new ResetInjector(sniffer, new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw));
            }
            catch
            {
                sniffer.Dispose();
                throw;
            }
        });
    }

    /// <summary>
    /// The last segment with data the server has sent so far, reading what the sniffer has queued until it has been
    /// quiet for a moment (at most <paramref name="limit"/>); null when none was seen.
    /// </summary>
    public TcpPacket? LastDataFromServer(TimeSpan limit)
    {
        TcpPacket? last = null;
        var stats = default(DecodeStats);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            var result = _sniffer.ReadFrame(out var frame, TimeSpan.FromMilliseconds(30));
            if (result == LiveReadResult.Ended || (result == LiveReadResult.TimedOut && last is not null))
            {
                break;
            }

            if (result == LiveReadResult.Frame && PacketDecoder.TryDecode(in frame, _frames++, out var packet, ref stats) && packet.PayloadLength > 0)
            {
                last = packet;
            }
        }

        return last;
    }

    /// <summary>
    /// Sends a RST+ACK from <paramref name="server"/> to <paramref name="client"/> with the sequence number the client
    /// expects next after <paramref name="seen"/> (an exact match: RFC 5961 makes the receiver ignore anything else),
    /// and IP TTL <paramref name="ttl"/>. Returns the sequence number used.
    /// </summary>
    public uint Inject(in TcpPacket seen, IPEndPoint server, IPEndPoint client, byte ttl)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(client);
        var sequence = unchecked(seen.Sequence + (uint)seen.PayloadLength + (seen.Has(TcpFlags.Fin) ? 1u : 0u));
        Span<byte> packet = stackalloc byte[HeaderLength];
        packet.Clear();

        var ip = packet[..20];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], HeaderLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)Random.Shared.Next(1, ushort.MaxValue));
        ip[8] = ttl;
        ip[9] = (byte)ProtocolType.Tcp;
        server.Address.TryWriteBytes(ip[12..16], out _);
        client.Address.TryWriteBytes(ip[16..20], out _);

        var tcp = packet[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)server.Port);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], (ushort)client.Port);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], seen.Acknowledgment);
        tcp[12] = 5 << 4;
        tcp[13] = (byte)(TcpFlags.Rst | TcpFlags.Ack);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], TcpChecksum(ip[12..16], ip[16..20], tcp));

        // The kernel fills in the IP header checksum of a raw packet; the TCP checksum is the injector's job.
        _raw.SendTo(packet, new IPEndPoint(client.Address, 0));
        return sequence;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _sniffer.Dispose();
        _raw.Dispose();
    }

    private static ushort TcpChecksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> segment)
    {
        // RFC 793: the one's complement sum over a pseudo-header (addresses, protocol, length) and the segment.
        uint sum = (uint)ProtocolType.Tcp + (uint)segment.Length;
        sum += Sum(source) + Sum(destination) + Sum(segment);
        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;

        static uint Sum(ReadOnlySpan<byte> bytes)
        {
            uint total = 0;
            for (var i = 0; i + 1 < bytes.Length; i += 2)
            {
                total += BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
            }

            return total;
        }
    }
}
