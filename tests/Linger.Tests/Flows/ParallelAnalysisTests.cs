using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using Linger.Analysis;
using Linger.Flows;
using Linger.Wire;
using Linger.Wire.Files;
using Linger.Wire.Filtering;

namespace Linger.Tests.Flows;

/// <summary>
/// A capture file analysed on several threads gives exactly the conversations, in exactly the order, that one thread
/// gives: with every way a conversation ends, expiry by capture time, port reuse, a filter, the conversation limit
/// reached, and a file damaged part way.
/// </summary>
public sealed class ParallelAnalysisTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("linger-parallel-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Several_threads_emit_what_one_thread_emits_in_the_same_order(int threads)
    {
        var path = WriteCapture("mixed.pcap", conversations: 3000, seed: 1);
        var options = new AnalyzeOptions { Tracker = new ConversationTrackerOptions { InactivityTimeout = TimeSpan.FromSeconds(2) } };

        var one = Run(path, options with { Parallelism = 1 });
        var many = Run(path, options with { Parallelism = threads });

        Assert.True(one.Count > 3000, "port reuse and expiry split some conversations");
        Assert.Equal(one, many);
    }

    [Fact]
    public void A_filter_gives_the_same_conversations_on_several_threads()
    {
        var path = WriteCapture("filtered.pcap", conversations: 2000, seed: 2);
        var options = new AnalyzeOptions { Filter = FilterExpression.Parse("port 443 or port 22") };

        Assert.Equal(Run(path, options with { Parallelism = 1 }), Run(path, options with { Parallelism = 2 }));
    }

    [Fact]
    public void Reaching_the_conversation_limit_gives_what_one_thread_gives()
    {
        var path = WriteCapture("crowded.pcap", conversations: 2000, seed: 3);
        var options = new AnalyzeOptions { Tracker = new ConversationTrackerOptions { MaxConversations = 150 } };

        var one = Run(path, options with { Parallelism = 1 });
        var many = Run(path, options with { Parallelism = 2 });

        Assert.Contains(one, c => c.Contains("\"CapacityEvicted\"", StringComparison.Ordinal));
        Assert.Equal(one, many);
    }

    [Fact]
    public void A_damaged_file_reports_the_same_conversations_before_the_same_error()
    {
        var path = WriteCapture("damaged.pcap", conversations: 1500, seed: 4);
        Damage(path);
        var options = new AnalyzeOptions();

        var (one, oneError) = RunUntilError(path, options with { Parallelism = 1 });
        var (many, manyError) = RunUntilError(path, options with { Parallelism = 2 });

        Assert.NotEmpty(one);
        Assert.Equal(one, many);
        Assert.Equal(oneError, manyError);
    }

    private static List<string> Run(string path, AnalyzeOptions options)
    {
        var seen = new List<string>();
        var totals = CaptureAnalyzer.AnalyzeFile(path, options, c => seen.Add(Text(c)));
        Assert.Equal(seen.Count, totals.Conversations);
        return seen;
    }

    private static (List<string> Seen, string Error) RunUntilError(string path, AnalyzeOptions options)
    {
        var seen = new List<string>();
        var error = Assert.Throws<CaptureFormatException>(() => CaptureAnalyzer.AnalyzeFile(path, options, c => seen.Add(Text(c))));
        return (seen, error.Message);
    }

    private static readonly JsonSerializerOptions AllFields = new() { Converters = { new JsonStringEnumConverter() } };

    // Every property, the lists and dictionaries by content.
    private static string Text(ConversationSummary c) => JsonSerializer.Serialize(c, AllFields);

    /// <summary>Makes a record in the middle of the file claim an impossible length.</summary>
    private static void Damage(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var offset = 24;
        for (var records = 0; offset + 16 <= bytes.Length; records++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 8));
            if (records == 4000)
            {
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset + 8), int.MaxValue);
                break;
            }

            offset += 16 + length;
        }

        File.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// A raw-IP capture of many interleaved conversations ending every way: graceful close, reset by either side
    /// (some after a FIN), refused, unanswered, left open, a port reused after a close, and silences long enough to
    /// expire.
    /// </summary>
    private string WriteCapture(string name, int conversations, int seed)
    {
        var random = new Random(seed);
        var packets = new List<(long Ns, byte[] Frame)>();
        for (var i = 0; i < conversations; i++)
        {
            var client = 0x0A000000u + (uint)random.Next(1, 200);
            var server = 0xC0000200u + (uint)random.Next(1, 20);
            var clientPort = (ushort)random.Next(1024, 1100); // few ports: some 4-tuples come back (reuse)
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
        var path = Path.Combine(_dir, name);
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
