using System.Buffers.Binary;
using System.Globalization;
using Linger.Flows;
using Linger.Wire;
using Linger.Wire.Files;

namespace Linger.Bench;

/// <summary>
/// A large synthetic capture with every verdict represented: conversations are scripted (a list of segments each),
/// many run at once and their packets are interleaved in time, as on a busy link. Classic pcap, Ethernet, IPv4 and
/// IPv6. Addresses come from documentation and private ranges; nothing is sent anywhere.
/// </summary>
internal static class SyntheticCapture
{
    private const int Concurrent = 2000;

    internal sealed record Stats(long Packets, long Conversations, IReadOnlyDictionary<Verdict, long> ByVerdict)
    {
        public override string ToString() =>
            $"packets={Packets} conversations={Conversations} " + string.Join(' ', ByVerdict.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"));
    }

    public static Stats Write(string path, long packetTarget, int seed)
    {
        var random = new Random(seed);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new PcapWriter(file, LinkType.Ethernet, 65535, leaveOpen: true);
        var active = new List<Script>(Concurrent);
        var byVerdict = new Dictionary<Verdict, long>();
        long written = 0, conversations = 0;
        var clock = 1_700_000_000_000_000_000L;
        var frame = new byte[2048];
        while (written < packetTarget || active.Count > 0)
        {
            while (active.Count < Concurrent && written < packetTarget)
            {
                var script = Script.Create(conversations++, random);
                byVerdict[script.Kind] = byVerdict.GetValueOrDefault(script.Kind) + 1;
                active.Add(script);
            }

            if (active.Count == 0)
            {
                break;
            }

            var index = random.Next(active.Count);
            var s = active[index];
            clock += 1_000 + random.Next(20_000);
            var length = s.NextFrame(frame, clock, out var timestamp);
            writer.WriteFrame(timestamp, frame.AsSpan(0, length), length);
            written++;
            if (s.Done)
            {
                active[index] = active[^1];
                active.RemoveAt(active.Count - 1);
            }
        }

        writer.Flush();
        return new Stats(written, conversations, byVerdict);
    }

    /// <summary>One scripted conversation: its segments, produced one at a time.</summary>
    private sealed class Script
    {
        private readonly List<Segment> _segments = [];
        private int _next;
        private uint _clientSeq;
        private uint _serverSeq;

        private Script(Verdict kind, Endpoints ends)
        {
            Kind = kind;
            Ends = ends;
        }

        public Verdict Kind { get; }

        public Endpoints Ends { get; }

        public bool Done => _next >= _segments.Count;

        public static Script Create(long n, Random random)
        {
            var roll = random.Next(100);
            var kind = roll switch
            {
                < 40 => Verdict.Closed,
                < 55 => Verdict.Reset,
                < 65 => Verdict.Refused,
                < 72 => Verdict.Unanswered,
                < 80 => Verdict.HalfClosed,
                < 90 => Verdict.Open,
                _ => Verdict.Midstream,
            };
            var ends = Endpoints.For(n, random);
            var s = new Script(kind, ends);
            s._clientSeq = (uint)random.Next();
            s._serverSeq = (uint)random.Next();
            var payload = 40 + random.Next(400);
            switch (kind)
            {
                case Verdict.Refused:
                    s.Syn();
                    s.Add(false, Flags.Rst | Flags.Ack, 0, seqOverride: 0, ackOverride: s._clientSeq);
                    break;
                case Verdict.Unanswered:
                    s.Syn();
                    s.Add(true, Flags.Syn, 0, seqOverride: s._clientSeq - 1, advance: false);
                    s.Add(true, Flags.Syn, 0, seqOverride: s._clientSeq - 1, advance: false);
                    break;
                case Verdict.Closed:
                    s.Handshake();
                    s.Add(true, Flags.Psh | Flags.Ack, payload);
                    s.Add(false, Flags.Ack, 0);
                    s.Add(false, Flags.Psh | Flags.Ack, payload * 3);
                    if (random.Next(10) == 0)
                    {
                        // A retransmission of the server's data now and then, as on a lossy link.
                        s.Retransmit();
                    }

                    s.Add(true, Flags.Ack, 0);
                    s.Add(true, Flags.Fin | Flags.Ack, 0);
                    s.Add(false, Flags.Fin | Flags.Ack, 0);
                    s.Add(true, Flags.Ack, 0);
                    break;
                case Verdict.Reset:
                    s.Handshake();
                    s.Add(true, Flags.Psh | Flags.Ack, payload);
                    if (random.Next(3) == 0)
                    {
                        // The 10053 story: the server closes, the client's late data gets a RST.
                        s.Add(false, Flags.Fin | Flags.Ack, 0);
                        s.Add(true, Flags.Ack, 0);
                        s.Add(true, Flags.Psh | Flags.Ack, payload);
                        s.Add(false, Flags.Rst, 0);
                    }
                    else
                    {
                        s.Add(false, Flags.Rst | Flags.Ack, 0);
                    }

                    break;
                case Verdict.HalfClosed:
                    s.Handshake();
                    s.Add(true, Flags.Psh | Flags.Ack, payload);
                    s.Add(false, Flags.Ack, 0);
                    s.Add(true, Flags.Fin | Flags.Ack, 0);
                    s.Add(false, Flags.Ack, 0);
                    break;
                case Verdict.Open:
                    s.Handshake();
                    s.Add(true, Flags.Psh | Flags.Ack, payload);
                    s.Add(false, Flags.Psh | Flags.Ack, payload);
                    s.Add(true, Flags.Ack, 0);
                    break;
                default:
                    s.Add(false, Flags.Psh | Flags.Ack, payload);
                    s.Add(true, Flags.Ack, 0);
                    s.Add(false, Flags.Psh | Flags.Ack, payload);
                    s.Add(true, Flags.Ack, 0);
                    break;
            }

            return s;
        }

        public int NextFrame(Span<byte> frame, long clock, out long timestamp)
        {
            var seg = _segments[_next++];
            timestamp = clock;
            return Frames.Build(frame, Ends, seg);
        }

        private void Syn()
        {
            Add(true, Flags.Syn, 0, seqOverride: _clientSeq, advance: false);
            _clientSeq++;
        }

        private void Handshake()
        {
            Syn();
            Add(false, Flags.Syn | Flags.Ack, 0, seqOverride: _serverSeq, advance: false);
            _serverSeq++;
            Add(true, Flags.Ack, 0);
        }

        private void Retransmit()
        {
            var last = _segments[^1];
            _segments.Add(last);
        }

        private void Add(bool fromClient, Flags flags, int payload, uint? seqOverride = null, uint? ackOverride = null, bool advance = true)
        {
            var seq = seqOverride ?? (fromClient ? _clientSeq : _serverSeq);
            var ack = ackOverride ?? (fromClient ? _serverSeq : _clientSeq);
            _segments.Add(new Segment(fromClient, flags, seq, ack, payload));
            if (!advance)
            {
                return;
            }

            var length = (uint)payload + ((flags & Flags.Fin) != 0 ? 1u : 0u);
            if (fromClient)
            {
                _clientSeq += length;
            }
            else
            {
                _serverSeq += length;
            }
        }
    }

    [Flags]
    private enum Flags : byte
    {
        Fin = 0x01,
        Syn = 0x02,
        Rst = 0x04,
        Psh = 0x08,
        Ack = 0x10,
    }

    private readonly record struct Segment(bool FromClient, Flags Flags, uint Seq, uint Ack, int Payload);

    private readonly record struct Endpoints(bool V6, uint ClientV4, uint ServerV4, ushort ClientPort, ushort ServerPort)
    {
        private static readonly ushort[] ServerPorts = [80, 443, 25, 587, 21, 22, 8080, 5432];

        public static Endpoints For(long n, Random random)
        {
            // Client addresses are unique per conversation (10.0.0.0/8 has room for 16M), so 4-tuples never collide.
            var client = 0x0A00_0000u | (uint)(n & 0x00FF_FFFF);
            var server = 0xC000_0200u | (uint)random.Next(200);
            return new Endpoints(n % 10 == 9, client, server, (ushort)(1024 + random.Next(64000)), ServerPorts[random.Next(ServerPorts.Length)]);
        }
    }

    private static class Frames
    {
        public static int Build(Span<byte> f, Endpoints e, Segment s)
        {
            var ipHeader = e.V6 ? 40 : 20;
            var total = 14 + ipHeader + 20 + s.Payload;
            f[..total].Clear();
            f[12] = e.V6 ? (byte)0x86 : (byte)0x08;
            f[13] = e.V6 ? (byte)0xDD : (byte)0x00;
            var ip = f[14..];
            var src = s.FromClient ? e.ClientV4 : e.ServerV4;
            var dst = s.FromClient ? e.ServerV4 : e.ClientV4;
            if (e.V6)
            {
                ip[0] = 0x60;
                BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(20 + s.Payload));
                ip[6] = 6;
                ip[7] = s.FromClient ? (byte)64 : (byte)57;
                WriteV6(ip[8..], src);
                WriteV6(ip[24..], dst);
            }
            else
            {
                ip[0] = 0x45;
                BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 20 + s.Payload));
                BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(s.Seq ^ s.Ack));
                ip[8] = s.FromClient ? (byte)64 : (byte)57;
                ip[9] = 6;
                BinaryPrimitives.WriteUInt32BigEndian(ip[12..], src);
                BinaryPrimitives.WriteUInt32BigEndian(ip[16..], dst);
            }

            var tcp = ip[ipHeader..];
            BinaryPrimitives.WriteUInt16BigEndian(tcp, s.FromClient ? e.ClientPort : e.ServerPort);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], s.FromClient ? e.ServerPort : e.ClientPort);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], s.Seq);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], (s.Flags & Flags.Ack) != 0 ? s.Ack : 0);
            tcp[12] = 0x50;
            tcp[13] = (byte)s.Flags;
            BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 64240);
            return total;
        }

        private static void WriteV6(Span<byte> b, uint v4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, 0x2001_0DB8);
            BinaryPrimitives.WriteUInt32BigEndian(b[12..], v4);
        }
    }
}
