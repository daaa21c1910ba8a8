using System.Buffers.Binary;
using Linger.Wire;
using Linger.Wire.Files;

namespace Linger.Tests.Support;

/// <summary>Synthetic captures for tests that need many conversations of every kind in one file.</summary>
public static class MixedCapture
{
    /// <summary>
    /// A raw-IP capture of many interleaved conversations ending every way: graceful close, reset by either side
    /// (some after a FIN), refused, unanswered, left open, a port reused after a close, and silences long enough to
    /// expire. Without <paramref name="reusePorts"/> every conversation has its own 4-tuple, so none ends by reuse.
    /// </summary>
    public static string Write(string path, int conversations, int seed, bool reusePorts = true)
    {
        var random = new Random(seed);
        var packets = new List<(long Ns, byte[] Frame)>();
        for (var i = 0; i < conversations; i++)
        {
            var client = 0x0A000000u + (uint)random.Next(1, 200);
            var server = 0xC0000200u + (uint)random.Next(1, 20);
            // Few ports: some 4-tuples come back (reuse); or each conversation its own.
            var clientPort = reusePorts ? (ushort)random.Next(1024, 1100) : (ushort)(1024 + (i % 60000));
            client += reusePorts ? 0 : (uint)(i / 60000) << 8;
            var serverPort = (ushort)(new[] { 80, 443, 22, 5432 })[random.Next(4)];
            var t = 1_700_000_000_000_000_000L + (random.NextInt64(0, 20_000) * 1_000_000);
            uint cs = (uint)random.Next(), ss = (uint)random.Next();

            void Add(bool fromClient, TcpFlags flags, int payload = 0, double gapSeconds = 0.001)
            {
                t += (long)(gapSeconds * 1e9) + random.Next(0, 1000);
                var frame = fromClient
                    ? Frame(client, server, clientPort, serverPort, cs, ss, flags, payload)
                    : Frame(server, client, serverPort, clientPort, ss, cs, flags, payload);
                packets.Add((t, frame));
                var advance = (uint)payload + ((flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0 ? 1u : 0u);
                if (fromClient)
                {
                    cs += advance;
                }
                else
                {
                    ss += advance;
                }
            }

            Add(true, TcpFlags.Syn);
            var ending = random.Next(7);
            if (ending == 0)
            {
                Add(false, TcpFlags.Rst | TcpFlags.Ack);
                continue;
            }

            if (ending == 1)
            {
                continue; // unanswered
            }

            Add(false, TcpFlags.Syn | TcpFlags.Ack);
            Add(true, TcpFlags.Ack);
            for (var n = random.Next(0, 4); n > 0; n--)
            {
                Add(true, TcpFlags.Psh | TcpFlags.Ack, random.Next(1, 500), gapSeconds: random.Next(4) == 0 ? 3 : 0.01);
                Add(false, TcpFlags.Psh | TcpFlags.Ack, random.Next(1, 1500));
            }

            switch (ending)
            {
                case 2:
                    Add(true, TcpFlags.Fin | TcpFlags.Ack);
                    Add(false, TcpFlags.Fin | TcpFlags.Ack);
                    Add(true, TcpFlags.Ack);
                    break;
                case 3:
                    Add(false, TcpFlags.Rst | TcpFlags.Ack, gapSeconds: 1);
                    break;
                case 4:
                    Add(false, TcpFlags.Fin | TcpFlags.Ack);
                    Add(true, TcpFlags.Psh | TcpFlags.Ack, 10);
                    Add(false, TcpFlags.Rst);
                    break;
                case 5:
                    Add(true, TcpFlags.Rst | TcpFlags.Ack);
                    break;
                default:
                    break; // left open
            }
        }

        packets.Sort((a, b) => a.Ns.CompareTo(b.Ns));
        using (var file = File.Create(path))
        using (var writer = new PcapWriter(file, LinkType.Raw))
        {
            foreach (var (ns, frame) in packets)
            {
                writer.WriteFrame(ns, frame, frame.Length);
            }
        }

        return path;
    }

    private static byte[] Frame(uint src, uint dst, ushort srcPort, ushort dstPort, uint seq, uint ack, TcpFlags flags, int payload)
    {
        var frame = new byte[40 + payload];
        frame[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)frame.Length);
        frame[8] = 64;
        frame[9] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(12), src);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(16), dst);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(22), dstPort);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(24), seq);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(28), (flags & TcpFlags.Ack) != 0 ? ack : 0);
        frame[32] = 5 << 4;
        frame[33] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(34), 65535);
        return frame;
    }
}
