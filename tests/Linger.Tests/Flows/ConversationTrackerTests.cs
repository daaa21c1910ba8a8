using System.Net;
using Linger.Flows;
using Linger.Tests.Support;
using Linger.Wire;

namespace Linger.Tests.Flows;

/// <summary>Conversation boundaries, bounded memory, expiry by capture time, and the tracker's counters.</summary>
public sealed class ConversationTrackerTests
{
    [Fact]
    public void Both_directions_of_a_4_tuple_are_one_conversation()
    {
        var c = new TcpScript().Handshake().C("PA", 100).S("PA", 200).C("FA").S("FA").C("A").Single();

        Assert.Equal(8, c.Packets);
        Assert.Equal(5, c.PacketsClient);
        Assert.Equal(3, c.PacketsServer);
        Assert.Equal("10.0.0.1:50000", c.Client.ToString());
        Assert.Equal("10.0.0.2:80", c.Server.ToString());
        Assert.Equal(0, c.FirstFrame);
    }

    [Fact]
    public void Start_and_end_are_the_first_and_last_packet_times()
    {
        var s = new TcpScript().Handshake().C("PA", 100).Wait(3).S("PA", 200);
        var c = s.Single();

        Assert.Equal(s.Packets[0].TimestampNs, c.StartNs);
        Assert.Equal(s.Packets[^1].TimestampNs, c.EndNs);
        Assert.Equal(3.001, c.LongestSilenceSeconds, 3);
    }

    [Fact]
    public void A_SYN_after_a_RST_starts_a_new_conversation()
    {
        var all = new TcpScript().C("S").S("RA", seq: 0).Wait(1).C("S", seq: 5000).S("SA").C("A").Analyze();

        Assert.Equal(2, all.Count);
        Assert.Equal(Verdict.Refused, all[0].Verdict);
        Assert.Equal(TrackingEnd.PortReused, all[0].TrackingEnded);
        Assert.Equal(Verdict.Open, all[1].Verdict);
        Assert.Equal("ShA", all[1].History);
    }

    [Fact]
    public void Port_reuse_with_a_new_ISN_after_a_close_starts_a_new_conversation()
    {
        var tracker = new ConversationTracker();
        var packets = new TcpScript().Handshake().C("PA", 10).S("PA", 10).C("FA").S("FA").C("A")
            .Wait(2).C("S", seq: 777_000).S("SA", seq: 5_000_000).C("A").Packets;
        foreach (var p in packets)
        {
            tracker.Add(p);
        }

        tracker.Flush();
        var all = tracker.DrainFinished().ToList();

        Assert.Equal(2, all.Count);
        Assert.Equal(ZeekConnState.SF, all[0].ConnState);
        Assert.Equal(TrackingEnd.PortReused, all[0].TrackingEnded);
        Assert.Equal(ZeekConnState.S1, all[1].ConnState);
        Assert.Equal(1, tracker.Reused);
        Assert.Equal(2, tracker.Emitted);
    }

    [Fact]
    public void A_retransmitted_SYN_with_the_same_ISN_stays_in_its_conversation()
    {
        var all = new TcpScript().C("S").C("S", seq: 1000, dt: 1).S("SA").C("A").Analyze();

        var c = Assert.Single(all);
        Assert.Equal(Verdict.Open, c.Verdict);
    }

    [Fact]
    public void A_SYN_with_another_ISN_during_an_open_conversation_starts_a_new_one_as_Zeek_does()
    {
        // TCPSessionAdapter::IsReuse: before any close, a SYN whose sequence number differs from the originator's
        // initial one is still a reuse ("active_connection_reuse").
        var all = new TcpScript().Handshake().C("PA", 10).C("S", seq: 99_000, dt: 1).Analyze();

        Assert.Equal(2, all.Count);
        Assert.Equal(TrackingEnd.PortReused, all[0].TrackingEnded);
        Assert.Equal(Verdict.Unanswered, all[1].Verdict);
    }

    [Fact]
    public void A_finished_conversation_keeps_late_packets_during_the_linger()
    {
        var s = new TcpScript().Handshake().C("PA", 10).S("A").C("FA").S("FA");
        s.C("FA", seq: s.ClientNext - 1, dt: 2).C("A");

        var c = s.Single(new ConversationTrackerOptions { CloseLinger = TimeSpan.FromSeconds(5) });

        Assert.Equal(9, c.Packets);
        Assert.Equal(Verdict.Closed, c.Verdict);
    }

    [Fact]
    public void A_finished_conversation_is_emitted_once_the_linger_has_passed_in_capture_time()
    {
        var tracker = new ConversationTracker(new ConversationTrackerOptions { CloseLinger = TimeSpan.FromSeconds(5) });
        var first = new TcpScript().Handshake().C("FA").S("FA").C("A");
        var other = new TcpScript("10.0.0.9:40000", "10.0.0.2:80");

        foreach (var p in first.Packets)
        {
            tracker.Add(p);
        }

        Assert.Empty(tracker.DrainFinished());

        // Another conversation's packets move capture time on: 4 s later nothing yet, 6 s later the first is out.
        tracker.Add(Shifted(other.C("S").Packets[^1], first.Now + 4_000_000_000));
        Assert.Equal(0, tracker.PendingCount);
        tracker.Add(Shifted(other.C("S", seq: 1000).Packets[^1], first.Now + 6_000_000_000));

        var done = Assert.Single(tracker.DrainFinished());
        Assert.Equal(TrackingEnd.Finished, done.TrackingEnded);
        Assert.Equal(1, tracker.ActiveConversations);
    }

    [Fact]
    public void A_packet_after_the_linger_starts_a_new_midstream_conversation()
    {
        var s = new TcpScript().Handshake().C("FA").S("FA");
        var all = s.Wait(10).C("A").Analyze(new ConversationTrackerOptions { CloseLinger = TimeSpan.FromSeconds(5) });

        Assert.Equal(2, all.Count);
        Assert.Equal(Verdict.Closed, all[0].Verdict);
        Assert.Equal(Verdict.Midstream, all[1].Verdict);
    }

    [Fact]
    public void An_idle_conversation_expires_after_the_inactivity_timeout_in_capture_time()
    {
        var tracker = new ConversationTracker(new ConversationTrackerOptions { InactivityTimeout = TimeSpan.FromMinutes(5) });
        var idle = new TcpScript().Handshake().C("PA", 10).S("PA", 10);
        foreach (var p in idle.Packets)
        {
            tracker.Add(p);
        }

        var other = new TcpScript("10.0.0.9:40000", "10.0.0.2:80").C("S").Packets[0];
        tracker.Add(Shifted(other, idle.Now + (long)TimeSpan.FromMinutes(4).TotalNanoseconds));
        Assert.Equal(0, tracker.PendingCount);

        tracker.Add(Shifted(other, idle.Now + (long)TimeSpan.FromMinutes(5.5).TotalNanoseconds));
        var expired = Assert.Single(tracker.DrainFinished());

        Assert.Equal(TrackingEnd.InactivityTimeout, expired.TrackingEnded);
        Assert.Equal(Verdict.Open, expired.Verdict);
        Assert.Equal(ZeekConnState.S1, expired.ConnState);
        Assert.Equal(1, tracker.Expired);
        Assert.Equal(1, tracker.ActiveConversations);
    }

    [Theory]
    [InlineData(-3_600_000_000_000L)] // an hour before 1970 (a pcapng timestamp offset can say so)
    [InlineData(0L)]
    [InlineData(long.MaxValue - 400_000_000_000L)] // the timeout reaches past the largest time there is
    public void An_idle_conversation_expires_at_the_same_capture_time_whatever_the_times_are(long start)
    {
        var tracker = new ConversationTracker(new ConversationTrackerOptions { InactivityTimeout = TimeSpan.FromMinutes(5) });
        var idle = new TcpScript().Handshake().C("PA", 10).Packets;
        foreach (var p in idle)
        {
            tracker.Add(Shifted(p, start + p.TimestampNs - idle[0].TimestampNs));
        }

        var last = start + idle[^1].TimestampNs - idle[0].TimestampNs;
        var other = new TcpScript("10.0.0.9:40000", "10.0.0.2:80").C("S").Packets[0];
        var fiveMinutes = (long)TimeSpan.FromMinutes(5).TotalNanoseconds;
        var due = last > long.MaxValue - fiveMinutes - 1 ? long.MaxValue : last + fiveMinutes + 1;
        for (var minute = 1; minute <= 4; minute++)
        {
            tracker.Add(Shifted(other, last + (minute * 60_000_000_000L))); // a minute more of silence: not due yet
            Assert.Equal(0, tracker.PendingCount);
        }

        if (due == long.MaxValue)
        {
            tracker.Add(Shifted(other, long.MaxValue)); // five minutes never pass: still not due
            Assert.Equal(0, tracker.PendingCount);
            return;
        }

        tracker.Add(Shifted(other, due - 1)); // exactly the timeout: not yet
        Assert.Equal(0, tracker.PendingCount);
        tracker.Add(Shifted(other, due));
        Assert.Equal(TrackingEnd.InactivityTimeout, Assert.Single(tracker.DrainFinished()).TrackingEnded);
    }

    [Fact]
    public void Beyond_its_capacity_the_tracker_emits_the_conversation_idle_longest()
    {
        var tracker = new ConversationTracker(new ConversationTrackerOptions { MaxConversations = 2 });
        for (var i = 0; i < 3; i++)
        {
            var p = new TcpScript($"10.0.1.{i + 1}:50000", "10.0.0.2:80").C("S").Packets[0];
            tracker.Add(Shifted(p, p.TimestampNs + i));
        }

        var evicted = Assert.Single(tracker.DrainFinished());
        Assert.Equal("10.0.1.1:50000", evicted.Client.ToString());
        Assert.Equal(TrackingEnd.CapacityEvicted, evicted.TrackingEnded);
        Assert.Equal(1, tracker.Evicted);
        Assert.Equal(2, tracker.ActiveConversations);
    }

    [Fact]
    public void Beyond_its_capacity_the_tracker_lets_a_finished_conversation_go_first()
    {
        var tracker = new ConversationTracker(new ConversationTrackerOptions { MaxConversations = 2 });
        var open = new TcpScript("10.0.1.1:50000", "10.0.0.2:80").C("S").Packets[0];
        tracker.Add(open);
        foreach (var p in new TcpScript("10.0.1.2:50000", "10.0.0.2:80").C("S").S("RA", seq: 0).Packets)
        {
            tracker.Add(Shifted(p, p.TimestampNs + 10));
        }

        var third = new TcpScript("10.0.1.3:50000", "10.0.0.2:80").C("S").Packets[0];
        tracker.Add(Shifted(third, third.TimestampNs + 20));

        var evicted = Assert.Single(tracker.DrainFinished());
        Assert.Equal("10.0.1.2:50000", evicted.Client.ToString());
        Assert.Equal(Verdict.Refused, evicted.Verdict);
    }

    [Fact]
    public void Hundreds_of_thousands_of_short_conversations_stream_through_bounded_memory()
    {
        const int Conversations = 200_000;
        var tracker = new ConversationTracker(new ConversationTrackerOptions { CloseLinger = TimeSpan.FromSeconds(1) });
        var maxActive = 0;
        long emitted = 0;
        long closed = 0;
        foreach (var p in ShortConversations(Conversations))
        {
            tracker.Add(p);
            maxActive = Math.Max(maxActive, tracker.ActiveConversations);
            while (tracker.TryTakeFinished(out var s))
            {
                emitted++;
                closed += s.Verdict == Verdict.Closed ? 1 : 0;
            }
        }

        tracker.Flush();
        while (tracker.TryTakeFinished(out var s))
        {
            emitted++;
            closed += s.Verdict == Verdict.Closed ? 1 : 0;
        }

        // One conversation starts every 100 µs and lingers 1 s after its close: about 10,000 alive at once.
        Assert.InRange(maxActive, 1, 11_000);
        Assert.Equal(Conversations, emitted);
        Assert.Equal(Conversations, closed);
        Assert.Equal(0, tracker.ActiveConversations);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1024)]
    public void Conversations_left_at_the_end_go_out_by_first_packet_whether_flushed_at_once_or_a_few_at_a_time(int step)
    {
        // Every other conversation never closes; the closed ones leave soon after their last ACK, and the open ones
        // started after them take their slots: slot order is not first-packet order.
        var packets = ShortConversations(4000).Where((p, i) => i / 6 % 2 == 0 || i % 6 < 3).ToList();
        var options = new ConversationTrackerOptions { CloseLinger = TimeSpan.FromMicroseconds(25) };
        var atOnce = new ConversationTracker(options);
        var inSteps = new ConversationTracker(options);
        foreach (var p in packets)
        {
            atOnce.Add(p);
            inSteps.Add(p);
        }

        var closedA = atOnce.DrainFinished().Count();
        var closedB = inSteps.DrainFinished().Count();
        atOnce.Flush();
        var expected = atOnce.DrainFinished().ToList();
        inSteps.BeginFlush();
        var got = new List<ConversationSummary>();
        bool more;
        do
        {
            more = inSteps.FlushSome(step);
            var taken = inSteps.DrainFinished().ToList();
            Assert.InRange(taken.Count, more ? step : 0, step);
            got.AddRange(taken);
        }
        while (more);

        Assert.Equal(closedA, closedB);
        Assert.Equal(2000, closedA);
        Assert.Equal(2000, expected.Count);
        Assert.All(expected, c => Assert.Equal(Verdict.Open, c.Verdict));
        Assert.Equal(expected.Select(c => (c.FirstFrame, c.Verdict, c.TrackingEnded)), got.Select(c => (c.FirstFrame, c.Verdict, c.TrackingEnded)));
        Assert.Equal(got.Select(c => c.FirstFrame).Order(), got.Select(c => c.FirstFrame));
        Assert.Equal(0, inSteps.ActiveConversations);
        Assert.Equal(4000, inSteps.Emitted);
    }

    [Fact]
    public void Conversations_left_at_the_end_whose_first_frames_repeat_go_out_by_first_time_then_as_they_came()
    {
        // Frame numbers repeat when the caller numbers packets per source (every script here starts at 0); the
        // capture's times may step back between sources.
        var tracker = new ConversationTracker();
        (string Client, long Ns)[] firsts = [("10.0.1.1:50000", 300), ("10.0.1.2:50000", 100), ("10.0.1.3:50000", 200), ("10.0.1.4:50000", 100)];
        foreach (var (client, ns) in firsts)
        {
            tracker.Add(Shifted(new TcpScript(client, "10.0.0.2:80").C("S").Packets[0], 1_700_000_000_000_000_000 + ns));
        }

        tracker.Flush();
        var order = tracker.DrainFinished().Select(c => c.Client.ToString()).ToList();

        Assert.Equal(["10.0.1.2:50000", "10.0.1.4:50000", "10.0.1.3:50000", "10.0.1.1:50000"], order);
    }

    [Fact]
    public void A_conversation_slot_holds_no_reference_the_GC_would_have_to_find()
    {
        // The slots live outside the GC heap (ConversationTable): a reference stored there would not be seen.
        Assert.False(System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<Linger.Flows.Internal.Conversation>());
    }

    [Fact]
    public void A_tracker_left_behind_gives_its_memory_back()
    {
        // The conversations live outside the GC heap: 20,000 at once take about 13 MB. A tracker that is dropped must
        // return it, or these rounds would hold 2 GB.
        const int Rounds = 150;
        const int Conversations = 20_000;
        var syns = new TcpPacket[Conversations];
        for (var i = 0; i < Conversations; i++)
        {
            syns[i] = new TcpPacket
            {
                TimestampNs = 1_000_000_000L + i,
                FrameNumber = i,
                Source = IpAddress.FromV4(0x0A000000u + (uint)(i >> 14)),
                Destination = IpAddress.FromV4(0x0A0000FE),
                SourcePort = (ushort)(1024 + (i & 0x3FFF)),
                DestinationPort = 80,
                Sequence = (uint)i,
                Flags = TcpFlags.Syn,
                Window = 1000,
                WindowScale = -1,
                Ttl = 64,
                IpLength = 40,
                WireLength = 54,
            };
        }

        long before = 0;
        for (var round = 0; round < Rounds; round++)
        {
            FillAndDrop(syns);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            if (round == 4)
            {
                before = Environment.WorkingSet; // after the allocator has settled on its pattern
            }
        }

        var grown = Environment.WorkingSet - before;
        Assert.True(grown < 1L << 30, $"the working set grew by {grown / (1 << 20)} MB over {Rounds - 5} dropped trackers");

        static void FillAndDrop(TcpPacket[] packets)
        {
            var tracker = new ConversationTracker();
            foreach (ref var p in packets.AsSpan())
            {
                tracker.Add(in p);
            }

            Assert.Equal(packets.Length, tracker.ActiveConversations);
        }
    }

    [Fact]
    public void Adding_packets_to_a_known_conversation_allocates_nothing()
    {
        var tracker = new ConversationTracker();
        var s = new TcpScript().Handshake();
        for (var i = 0; i < 2_000; i++)
        {
            s.C("PA", 100).S("A");
        }

        var packets = s.Packets.ToArray();
        for (var i = 0; i < 200; i++)
        {
            tracker.Add(packets[i]); // warm up: the conversation, its history and the JIT
        }

        var third = (packets.Length - 200) / 3;
        var fewest = Allocations.Fewest(3, round =>
        {
            for (var i = 200 + (round * third); i < 200 + ((round + 1) * third); i++)
            {
                tracker.Add(packets[i]);
            }
        });

        Assert.Equal(0, fewest);
    }

    [Fact]
    public void Analyze_streams_any_sequence_of_packets()
    {
        var a = new TcpScript("10.0.0.1:50001", "10.0.0.2:80").C("S").S("RA", seq: 0);
        var b = new TcpScript("10.0.0.1:50002", "10.0.0.2:80").Handshake().C("FA").S("FA").C("A");

        var all = ConversationTracker.Analyze(a.Packets.Concat(b.Packets)).ToList();

        Assert.Equal(2, all.Count);
        Assert.Equal([Verdict.Refused, Verdict.Closed], all.Select(s => s.Verdict).Order());
    }

    [Fact]
    public void Options_outside_their_range_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConversationTracker(new ConversationTrackerOptions { InactivityTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConversationTracker(new ConversationTrackerOptions { MaxConversations = 0 }));
    }

    private static TcpPacket Shifted(TcpPacket p, long timestampNs)
    {
        p.TimestampNs = timestampNs;
        return p;
    }

    /// <summary>SYN, SYN-ACK, ACK, FIN, FIN, ACK per conversation, a new one every 100 µs, 10 µs between packets.</summary>
    private static IEnumerable<TcpPacket> ShortConversations(int count)
    {
        var server = IpAddress.From(IPAddress.Parse("10.200.0.1"));
        const long Start = 1_700_000_000_000_000_000;
        long frame = 0;
        for (var i = 0; i < count; i++)
        {
            var client = IpAddress.FromV4(0x0A000000u + (uint)(i / 50_000) + 1);
            var port = (ushort)(10_000 + (i % 50_000));
            var t = Start + (i * 100_000L);
            uint cs = 1000, ss = 5000;
            yield return P(client, port, server, 80, cs, 0, TcpFlags.Syn, t);
            yield return P(server, 80, client, port, ss, cs + 1, TcpFlags.Syn | TcpFlags.Ack, t + 10_000);
            yield return P(client, port, server, 80, cs + 1, ss + 1, TcpFlags.Ack, t + 20_000);
            yield return P(client, port, server, 80, cs + 1, ss + 1, TcpFlags.Fin | TcpFlags.Ack, t + 30_000);
            yield return P(server, 80, client, port, ss + 1, cs + 2, TcpFlags.Fin | TcpFlags.Ack, t + 40_000);
            yield return P(client, port, server, 80, cs + 2, ss + 2, TcpFlags.Ack, t + 50_000);
        }

        TcpPacket P(IpAddress src, ushort sport, IpAddress dst, ushort dport, uint seq, uint ack, TcpFlags flags, long ts) => new()
        {
            TimestampNs = ts,
            FrameNumber = frame++,
            Source = src,
            Destination = dst,
            SourcePort = sport,
            DestinationPort = dport,
            Sequence = seq,
            Acknowledgment = ack,
            Flags = flags,
            Window = 500,
            WindowScale = -1,
            Ttl = 64,
            IpId = 1,
            WireLength = 54,
        };
    }
}
