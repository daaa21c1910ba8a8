using System.Net;
using Linger.Flows;
using Linger.Wire;

namespace Linger.Tests.Flows;

/// <summary>
/// Builds the packets of a hand-written TCP conversation. Each side keeps its next sequence number; a segment carries
/// the sender's next sequence number and acknowledges everything the other side sent so far, unless told otherwise.
/// Time advances 1 ms per packet unless <see cref="Wait"/> or a <c>dt</c> says otherwise.
/// </summary>
internal sealed class TcpScript
{
    private readonly List<TcpPacket> _packets = [];
    private readonly Peer _client;
    private readonly Peer _server;
    private long _now = 1_700_000_000_000_000_000;
    private long _frame;

    public TcpScript(string client = "10.0.0.1:50000", string server = "10.0.0.2:80", uint clientIsn = 1000, uint serverIsn = 900_000)
    {
        _client = new Peer(IPEndPoint.Parse(client), clientIsn, ipId: 100);
        _server = new Peer(IPEndPoint.Parse(server), serverIsn, ipId: 30_000);
    }

    public IReadOnlyList<TcpPacket> Packets => _packets;

    /// <summary>The client's next sequence number.</summary>
    public uint ClientNext => _client.Next;

    /// <summary>The server's next sequence number.</summary>
    public uint ServerNext => _server.Next;

    public long Now => _now;

    /// <summary>A segment from the client. Flags: S syn, A ack, P psh, F fin, R rst.</summary>
    public TcpScript C(string flags, int payload = 0, uint? seq = null, uint? ack = null, ushort window = 502, sbyte scale = -1,
        byte ttl = 64, ushort? ipId = null, double dt = 0.001) =>
        Send(_client, _server, flags, payload, seq, ack, window, scale, ttl, ipId, dt);

    /// <summary>A segment from the server.</summary>
    public TcpScript S(string flags, int payload = 0, uint? seq = null, uint? ack = null, ushort window = 502, sbyte scale = -1,
        byte ttl = 64, ushort? ipId = null, double dt = 0.001) =>
        Send(_server, _client, flags, payload, seq, ack, window, scale, ttl, ipId, dt);

    /// <summary>Capture time passes with nothing sent.</summary>
    public TcpScript Wait(double seconds)
    {
        _now += (long)(seconds * 1e9);
        return this;
    }

    /// <summary>The three-way handshake, 1 ms apart.</summary>
    public TcpScript Handshake() => C("S").S("SA").C("A");

    /// <summary>Runs the packets through a tracker and returns every summary, in emission order.</summary>
    public IReadOnlyList<ConversationSummary> Analyze(ConversationTrackerOptions? options = null) =>
        [.. ConversationTracker.Analyze(_packets, options)];

    /// <summary>The only conversation.</summary>
    public ConversationSummary Single(ConversationTrackerOptions? options = null) => Assert.Single(Analyze(options));

    private TcpScript Send(Peer from, Peer to, string flags, int payload, uint? seq, uint? ack, ushort window, sbyte scale,
        byte ttl, ushort? ipId, double dt)
    {
        var f = TcpFlags.None;
        foreach (var ch in flags)
        {
            f |= ch switch
            {
                'S' => TcpFlags.Syn,
                'A' => TcpFlags.Ack,
                'P' => TcpFlags.Psh,
                'F' => TcpFlags.Fin,
                'R' => TcpFlags.Rst,
                _ => throw new ArgumentException($"unknown flag '{ch}'", nameof(flags)),
            };
        }

        _now += (long)(dt * 1e9);
        var s = seq ?? from.Next;
        var packet = new TcpPacket
        {
            TimestampNs = _now,
            FrameNumber = _frame++,
            Source = IpAddress.From(from.EndPoint.Address),
            Destination = IpAddress.From(to.EndPoint.Address),
            SourcePort = (ushort)from.EndPoint.Port,
            DestinationPort = (ushort)to.EndPoint.Port,
            Sequence = s,
            Acknowledgment = (f & TcpFlags.Ack) != 0 ? ack ?? to.Next : 0,
            Flags = f,
            Window = window,
            WindowScale = scale,
            PayloadLength = payload,
            Ttl = ttl,
            IpId = from.EndPoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? (ushort)0 : ipId ?? from.IpId++,
            WireLength = 54 + payload,
        };
        _packets.Add(packet);

        if ((f & TcpFlags.Rst) == 0)
        {
            var consumed = (uint)payload + ((f & TcpFlags.Syn) != 0 ? 1u : 0u) + ((f & TcpFlags.Fin) != 0 ? 1u : 0u);
            var end = s + consumed;
            if (unchecked((int)(end - from.Next)) > 0)
            {
                from.Next = end;
            }
        }

        return this;
    }

    private sealed class Peer(IPEndPoint endPoint, uint isn, ushort ipId)
    {
        public IPEndPoint EndPoint { get; } = endPoint;

        public uint Next { get; set; } = isn;

        public ushort IpId { get; set; } = ipId;
    }
}
