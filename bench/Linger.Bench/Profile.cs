using System.Diagnostics;
using Linger.Flows;
using Linger.Wire;
using Linger.Wire.Decoding;
using Linger.Wire.Files;

namespace Linger.Bench;

/// <summary><c>linger-bench profile FILE</c>: times the analysis stages separately (decode, track), for tuning.</summary>
internal static class Profile
{
    public static void Run(string path)
    {
        var sw = Stopwatch.StartNew();
        var packets = new List<TcpPacket>(2_100_000);
        var stats = default(DecodeStats);
        using (var source = CaptureFile.Open(path))
        {
            long n = 0;
            while (source.TryReadFrame(out var frame))
            {
                if (PacketDecoder.TryDecode(in frame, ++n, out var p, ref stats))
                {
                    packets.Add(p);
                }
            }
        }

        Console.WriteLine($"read+decode: {sw.Elapsed.TotalMilliseconds:F0} ms, {packets.Count} packets");
        for (var round = 0; round < 3; round++)
        {
            sw.Restart();
            var tracker = new ConversationTracker(new ConversationTrackerOptions { CloseLinger = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("LINGER_S") ?? "5", System.Globalization.CultureInfo.InvariantCulture)) });
            long emitted = 0;
            var gc0 = GC.CollectionCount(0);
            var alloc = GC.GetAllocatedBytesForCurrentThread();
            foreach (var p in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(packets))
            {
                tracker.Add(in p);
                while (tracker.TryTakeFinished(out _))
                {
                    emitted++;
                }
            }

            tracker.Flush();
            while (tracker.TryTakeFinished(out _))
            {
                emitted++;
            }

            Console.WriteLine($"track round {round}: {sw.Elapsed.TotalMilliseconds:F0} ms, {emitted} conversations, gen0 GCs {GC.CollectionCount(0) - gc0}, allocated {(GC.GetAllocatedBytesForCurrentThread() - alloc) / 1e6:F0} MB");
        }
    }
}
