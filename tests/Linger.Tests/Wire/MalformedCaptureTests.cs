using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using Linger.Tests.Wire.Support;
using Linger.Wire;
using Linger.Wire.Decoding;
using Linger.Wire.Files;
using Xunit.Abstractions;
using static Linger.Tests.Wire.Support.HandMadeFrame;

namespace Linger.Tests.Wire;

/// <summary>
/// Valid captures (pcap, pcapng, gzip) damaged thousands of ways (bit flips, bytes overwritten, truncation, absurd
/// lengths), each read to the end while decoding: the only failure allowed is a <see cref="CaptureFormatException"/>
/// naming the offset; no other exception, no hang, no runaway allocation. Every iteration has its own seed, printed
/// on failure, so any failure reproduces.
/// </summary>
public sealed class MalformedCaptureTests(ITestOutputHelper output)
{
    private const int Iterations = 3000;
    private const int FirstSeed = 20_000;
    private const long AllocationLimit = 8 * 1024 * 1024;
    private static readonly TimeSpan WallClockBudget = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PerFileTimeout = TimeSpan.FromSeconds(10);

    private enum Outcome
    {
        Clean,

        /// <summary>Read to the end, with a truncated last record.</summary>
        Warned,
        Rejected,
    }

    [Fact]
    public async Task Damaged_captures_fail_only_with_a_format_error_naming_the_offset()
    {
        var seeds = SeedCaptures();
        var outcomes = new Dictionary<Outcome, int>();
        var clock = Stopwatch.StartNew();
        var iterations = 0;
        for (; iterations < Iterations && clock.Elapsed < WallClockBudget; iterations++)
        {
            var seed = FirstSeed + iterations;
            var (name, bytes, mutation) = Mutate(seeds, seed);
            var read = Task.Run(() => ReadToTheEnd(bytes));
            Outcome outcome;
            try
            {
                outcome = await read.WaitAsync(PerFileTimeout);
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed} ({name}, {mutation}): reading did not finish within {PerFileTimeout}");
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed} ({name}, {mutation}): {ex.GetType().Name} escaped: {ex}");
            }
            catch (Xunit.Sdk.XunitException ex)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed} ({name}, {mutation}): {ex.Message}");
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        output.WriteLine($"{iterations} damaged captures in {clock.Elapsed.TotalSeconds:F1} s: " +
            string.Join(", ", outcomes.Select(o => $"{o.Value} {o.Key}")));

        // The damage must really have reached every path: errors, warnings, and files read to the end.
        Assert.True(iterations >= 200, $"only {iterations} iterations ran");
        Assert.True(outcomes.GetValueOrDefault(Outcome.Rejected) > 0, "no damaged file was rejected");
        Assert.True(outcomes.GetValueOrDefault(Outcome.Warned) > 0, "no damaged file was read with a warning");
        Assert.True(outcomes.GetValueOrDefault(Outcome.Clean) > 0, "no damaged file was read cleanly");
    }

    [Fact]
    public void The_undamaged_seed_captures_read_cleanly()
    {
        foreach (var (name, bytes, _) in SeedCaptures())
        {
            Assert.True(ReadToTheEnd(bytes) == Outcome.Clean, name);
        }
    }

    /// <summary>Reads every frame and decodes it; says how it ended. Runs on one thread so its allocations can be counted.</summary>
    private static Outcome ReadToTheEnd(byte[] bytes)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var stats = default(DecodeStats);
        var outcome = Outcome.Clean;
        try
        {
            using var source = CaptureFile.Open(new MemoryStream(bytes, writable: false), "fuzzed");
            long frames = 0;
            while (source.TryReadFrame(out var frame))
            {
                PacketDecoder.TryDecode(frame, frames, out _, ref stats);
                Assert.True(++frames < 10_000_000, "the reader keeps producing frames");
            }

            if (source.Warnings.Any(w => w.StartsWith("truncated last record", StringComparison.Ordinal)))
            {
                outcome = Outcome.Warned;
            }
        }
        catch (CaptureFormatException ex)
        {
            Assert.Contains("offset", ex.Message, StringComparison.Ordinal);
            outcome = Outcome.Rejected;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < AllocationLimit, $"reading a {bytes.Length}-byte capture allocated {allocated} bytes");
        return outcome;
    }

    private static (string Name, byte[] Bytes, string Mutation) Mutate(List<(string Name, byte[] Bytes, long[] Records)> seeds, int seed)
    {
        var random = new Random(seed);
        var (name, original, records) = seeds[random.Next(seeds.Count)];
        var bytes = (byte[])original.Clone();
        var steps = new List<string>();
        var count = random.Next(4) == 0 ? random.Next(2, 4) : 1;
        for (var i = 0; i < count && bytes.Length > 0; i++)
        {
            switch (random.Next(4))
            {
                case 0:
                    var flips = random.Next(1, 9);
                    for (var f = 0; f < flips; f++)
                    {
                        bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    steps.Add($"{flips} bit flips");
                    break;
                case 1:
                    var at = random.Next(bytes.Length);
                    var run = Math.Min(random.Next(1, 5), bytes.Length - at);
                    var value = random.Next(3) switch { 0 => 0x00, 1 => 0xFF, _ => -1 };
                    for (var k = 0; k < run; k++)
                    {
                        bytes[at + k] = value < 0 ? (byte)random.Next(256) : (byte)value;
                    }

                    steps.Add($"{run} bytes at {at} overwritten");
                    break;
                case 2:
                    var length = random.Next(bytes.Length);
                    bytes = bytes[..length];
                    steps.Add($"cut to {length} bytes");
                    break;
                default:
                    // A length field of a record (or any aligned word), made absurd.
                    var target = records.Length > 0 && random.Next(3) > 0
                        ? (int)records[random.Next(records.Length)] + (4 * random.Next(1, 7))
                        : random.Next(bytes.Length / 4) * 4;
                    if (target + 4 <= bytes.Length)
                    {
                        uint[] absurd = [0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 0x1000_0000, 0x0FFF_FFFC, 0x0000_FFFF, 13, 0, (uint)random.Next()];
                        var word = absurd[random.Next(absurd.Length)];
                        if (random.Next(2) == 0)
                        {
                            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(target), word);
                        }
                        else
                        {
                            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(target), word);
                        }

                        steps.Add($"word at {target} set to 0x{word:X8}");
                    }

                    break;
            }
        }

        return (name, bytes, string.Join(", ", steps));
    }

    /// <summary>Valid captures of every kind the reader knows, with the offsets of their records.</summary>
    private static List<(string Name, byte[] Bytes, long[] Records)> SeedCaptures()
    {
        var frames = SampleFrames();
        var seeds = new List<(string, byte[], long[])>();

        using (var ms = new MemoryStream())
        {
            using (var writer = new PcapNgWriter(ms, leaveOpen: true))
            {
                var t = 1_700_000_000_000_000_000L;
                foreach (var (linkType, data) in frames)
                {
                    writer.WriteFrame(linkType, t += 1_234_567, data, data.Length + 3);
                }
            }

            seeds.Add(("pcapng, every link type", ms.ToArray(), []));
        }

        using (var ms = new MemoryStream())
        {
            using (var writer = new PcapWriter(ms, LinkType.Ethernet, leaveOpen: true))
            {
                var t = 1_700_000_000_000_000_000L;
                foreach (var (linkType, data) in frames.Where(f => f.LinkType == LinkType.Ethernet))
                {
                    writer.WriteFrame(t += 1_000_000, data, data.Length);
                }
            }

            seeds.Add(("pcap, Ethernet", ms.ToArray(), []));
        }

        seeds.Add(("pcap, big-endian, nanoseconds", HandMadePcap.File(
            true,
            true,
            101,
            frames.Where(f => f.LinkType == LinkType.Raw).Select((f, i) => new HandMadePcap.Record(1_700_000_000, (uint)i, f.Data, (uint)f.Data.Length))), []));

        var sections = new HandMadePcapNg()
            .Section(false).Interface(1, 96, tsresol: 6).Interface(101, 0, tsresol: 0x8A, tsoffset: 100);
        foreach (var (linkType, data) in frames.Where(f => f.LinkType is LinkType.Ethernet or LinkType.Raw).Take(20))
        {
            sections.Enhanced(linkType == LinkType.Ethernet ? 0u : 1u, 12345, data);
        }

        sections.Simple(80, new byte[80]).Block(0xF00, new byte[16]).Obsolete(1, 99, frames[1].Data).Block(5, new byte[20]);
        sections.Section(true).Interface(276, tsresol: 9);
        foreach (var (_, data) in frames.Where(f => f.LinkType == LinkType.LinuxSll2))
        {
            sections.Enhanced(0, 1_700_000_000_000_000_000, data);
        }

        seeds.Add(("pcapng, two sections, every block type", sections.ToArray(), []));

        // Record offsets, for targeted length damage, from reading the intact files.
        for (var i = 0; i < seeds.Count; i++)
        {
            var (name, bytes, _) = seeds[i];
            seeds[i] = (name, bytes, CapturedFrame.ReadAll(bytes).Select(f => f.FileOffset).ToArray());
        }

        seeds.Add(("pcapng.gz", Gzip(seeds[0].Item2), []));
        seeds.Add(("pcap.gz", Gzip(seeds[1].Item2), []));
        return seeds;
    }

    private static List<(LinkType LinkType, byte[] Data)> SampleFrames()
    {
        var list = new List<(LinkType, byte[])>();
        for (var i = 0; i < 30; i++)
        {
            var tcp = HandMadeFrame.Tcp((ushort)(40000 + i), 80, (uint)i * 1000, 5, (byte)(i % 3 == 0 ? 0x02 : 0x18), 100, i % 3 == 0 ? [2, 4, 5, 0xB4, 1, 3, 3, 7] : null, i * 7);
            var v4 = IPv4("10.0.0.1", "10.0.0.2", 6, tcp, options: i % 4 == 0 ? [1, 1, 1, 0] : null, flagsAndOffset: (ushort)(i % 10 == 0 ? 0x2000 : 0x4000));
            var v6 = IPv6("2001:db8::1", "2001:db8::2", 6, tcp, 64, i % 2 == 0 ? [Extension(0, 0), Extension(60, 1)] : []);
            list.Add((LinkType.Ethernet, Ethernet(EtherTypeIPv4, v4, i % 5 == 0 ? [(0x88A8, 10), (0x8100, 20)] : [])));
            list.Add((LinkType.Raw, i % 2 == 0 ? v4 : v6));
            list.Add((LinkType.LinuxSll, LinuxSll(EtherTypeIPv6, v6)));
            list.Add((LinkType.LinuxSll2, LinuxSll2(EtherTypeIPv4, v4)));
            list.Add((LinkType.Null, Null(30, i % 2 == 0, v6)));
            list.Add((LinkType.Loop, Loop(2, v4)));
            list.Add((LinkType.IPv6, v6));
        }

        return list;
    }

    private static byte[] Gzip(byte[] plain)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(plain);
        }

        return output.ToArray();
    }
}
