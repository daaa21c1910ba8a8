using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Linger.Tests.Support;
using Linger.Wire.Filtering;
using Linger.Wire.Live;

namespace Linger.Tests.WireLive;

/// <summary>Live capture on the real kernel's loopback interface, with real connections made by the test.</summary>
public sealed class LiveCaptureTests
{
    private const ushort ArphrdLoopback = 772;
    private const byte PacketHost = 0;
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(10);

    [RootFact]
    public async Task Captures_every_packet_of_the_filtered_port_once_and_nothing_of_another_port()
    {
        await using var wanted = new LoopbackTraffic(IPAddress.Loopback);
        await using var other = new LoopbackTraffic(IPAddress.Loopback);
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "lo", Filter = $"tcp port {wanted.Port}" });

        using var timeout = new CancellationTokenSource(ReadLimit);
        await wanted.ConverseAsync(3, timeout.Token);
        await other.ConverseAsync(2, timeout.Token);
        var segments = ReadUntil(capture, s => s.Count(x => x.IsClientSyn) >= 3 && s.Count(x => x.IsFin) >= 6);

        Assert.All(segments, s => Assert.True(s.Involves(wanted.Port), $"port {s.SourcePort} > {s.DestinationPort} passed the filter"));

        // Loopback shows each packet leaving and arriving; exactly one copy of each must be kept.
        Assert.Equal(3, segments.Count(s => s.IsClientSyn));
        Assert.Equal(6, segments.Count(s => s.IsFin));
    }

    [RootFact]
    public async Task Frames_carry_a_linux_sll2_header_describing_the_loopback_interface()
    {
        await using var server = new LoopbackTraffic(IPAddress.Loopback);
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "lo", Filter = $"port {server.Port}" });
        var before = DateTimeOffset.UtcNow;

        using var timeout = new CancellationTokenSource(ReadLimit);
        await server.ConverseAsync(1, timeout.Token);
        var segments = ReadUntil(capture, s => s.Count(x => x.IsFin) >= 2);

        var loIndex = int.Parse(File.ReadAllText("/sys/class/net/lo/ifindex").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEmpty(segments);
        Assert.All(segments, s =>
        {
            Assert.Equal(0x0800, s.Protocol);
            Assert.Equal(loIndex, s.InterfaceIndex);
            Assert.Equal(ArphrdLoopback, s.HardwareType);
            Assert.Equal(PacketHost, s.PacketType);
            Assert.Equal(s.OriginalLength, s.CapturedLength);
            var time = DateTimeOffset.FromUnixTimeMilliseconds(s.TimestampNs / 1_000_000);
            Assert.InRange(time, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        });
    }

    [RootFact]
    public async Task Captured_ipv6_segments_pass_an_ip6_filter_in_the_kernel()
    {
        await using var server = new LoopbackTraffic(IPAddress.IPv6Loopback);
        await using var v4 = new LoopbackTraffic(IPAddress.Loopback);
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "lo", Filter = $"ip6 and dst port {server.Port}" });

        using var timeout = new CancellationTokenSource(ReadLimit);
        await server.ConverseAsync(2, timeout.Token);
        await v4.ConverseAsync(1, timeout.Token);
        var segments = ReadUntil(capture, s => s.Count(x => x.IsClientSyn) >= 2 && s.Count(x => x.IsFin) >= 2);

        Assert.All(segments, s =>
        {
            Assert.Equal(0x86dd, s.Protocol);
            Assert.Equal(server.Port, s.DestinationPort);
        });
        Assert.Equal(2, segments.Count(s => s.IsClientSyn));
    }

    [RootFact]
    public async Task The_filter_runs_in_the_kernel_so_other_ports_never_reach_the_ring()
    {
        await using var watched = new LoopbackTraffic(IPAddress.Loopback);
        await using var busy = new LoopbackTraffic(IPAddress.Loopback);
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "lo", Filter = $"port {watched.Port}" });

        using var timeout = new CancellationTokenSource(ReadLimit);
        await busy.ConverseAsync(5, timeout.Token);
        var result = capture.ReadFrame(out _, TimeSpan.FromMilliseconds(400));

        // The kernel counts only packets its filter accepted: fifty-odd packets went by and none was accepted.
        Assert.Equal(LiveReadResult.TimedOut, result);
        Assert.Equal(new CaptureStatistics(0, 0), capture.Statistics);
    }

    [RootFact]
    public async Task Statistics_count_at_least_the_frames_read_and_report_drops()
    {
        await using var server = new LoopbackTraffic(IPAddress.Loopback);
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "lo", Filter = $"port {server.Port}" });

        using var timeout = new CancellationTokenSource(ReadLimit);
        await server.ConverseAsync(2, timeout.Token);
        var segments = ReadUntil(capture, s => s.Count(x => x.IsFin) >= 4);
        var statistics = capture.Statistics;

        Assert.True(statistics.Received >= segments.Count, $"kernel counted {statistics.Received}, we read {segments.Count}");
        Assert.Equal(0, statistics.Dropped);
        Assert.Equal(statistics.Received, capture.Statistics.Received); // totals are kept, not reset by reading
    }

    [RootFact]
    public async Task A_full_ring_is_reported_as_dropped_packets()
    {
        await using var server = new LoopbackTraffic(IPAddress.Loopback);

        // Two 128 KiB blocks, and nobody reading: the kernel must drop once both blocks are full.
        using var capture = LiveCapture.Open(new LiveCaptureOptions
        {
            Interface = "lo",
            Filter = $"port {server.Port}",
            SnapLength = 1500,
            RingSize = 256 * 1024,
        });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.ConverseAsync(300, timeout.Token);
        var statistics = capture.Statistics;

        Assert.True(statistics.Dropped > 0, $"nothing dropped of {statistics.Received}");
        Assert.True(statistics.Received > statistics.Dropped);
    }

    [RootFact]
    public async Task On_any_interface_loopback_packets_are_captured_once()
    {
        await using var server = new LoopbackTraffic(IPAddress.Loopback);
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "any", Filter = $"port {server.Port}" });

        using var timeout = new CancellationTokenSource(ReadLimit);
        await server.ConverseAsync(2, timeout.Token);
        var segments = ReadUntil(capture, s => s.Count(x => x.IsClientSyn) >= 2 && s.Count(x => x.IsFin) >= 4);

        Assert.Equal(2, segments.Count(s => s.IsClientSyn));
        Assert.Equal(4, segments.Count(s => s.IsFin));
    }

    [RootFact]
    public async Task The_snap_length_cuts_packets_in_the_kernel_and_the_original_length_is_kept()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "lo", Filter = $"dst port {port}", SnapLength = 64 });
            using var timeout = new CancellationTokenSource(ReadLimit);
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
            using var accepted = await listener.AcceptSocketAsync(timeout.Token);
            await client.SendAsync(new byte[1000], timeout.Token);

            var segments = ReadUntil(capture, s => s.Any(x => x.OriginalLength > 1000));

            var data = segments.First(s => s.OriginalLength > 1000);
            Assert.Equal(20 + 64, data.CapturedLength);
            Assert.InRange(data.OriginalLength, 20 + 20 + 20 + 1000, 20 + 20 + 60 + 1000); // SLL2 + IPv4 + TCP (with options) + payload
        }
        finally
        {
            listener.Stop();
        }
    }

    [RootFact]
    public async Task Opening_amid_busy_traffic_lets_no_unfiltered_packet_in()
    {
        await using var watched = new LoopbackTraffic(IPAddress.Loopback);
        await using var busy = new LoopbackTraffic(IPAddress.Loopback);
        using var stopTraffic = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var traffic = Task.Run(async () =>
        {
            while (!stopTraffic.IsCancellationRequested)
            {
                await busy.ConverseAsync(1, stopTraffic.Token);
            }
        });

        try
        {
            for (var i = 0; i < 10; i++)
            {
                using var capture = LiveCapture.Open(new LiveCaptureOptions
                {
                    Interface = "lo",
                    Filter = $"port {watched.Port}",
                    SnapLength = 1024,
                    RingSize = 256 * 1024,
                });
                Assert.Equal(LiveReadResult.TimedOut, capture.ReadFrame(out _, TimeSpan.FromMilliseconds(150)));
                Assert.Equal(new CaptureStatistics(0, 0), capture.Statistics);
            }
        }
        finally
        {
            await stopTraffic.CancelAsync();
            try
            {
                await traffic;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    [RootFact]
    public void Promiscuous_mode_is_on_while_capturing_and_refused_with_a_warning_on_any()
    {
        const int IffPromisc = 0x100;
        using (LiveCapture.Open(new LiveCaptureOptions { Interface = "lo", Filter = "host 192.0.2.77", Promiscuous = true }))
        {
            var flags = Convert.ToInt32(File.ReadAllText("/sys/class/net/lo/flags").Trim(), 16);
            Assert.NotEqual(0, flags & IffPromisc);
        }

        using var any = LiveCapture.Open(new LiveCaptureOptions { Interface = "any", Filter = "host 192.0.2.77", Promiscuous = true });
        Assert.Contains("promiscuous mode is not available on 'any'", Assert.Single(any.Warnings), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Disposing_from_another_thread_during_a_read_ends_the_read_first()
    {
        var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "lo", Filter = "host 192.0.2.77" });
        var reading = Task.Run(() => capture.ReadFrame(out _, TimeSpan.FromSeconds(20)));
        await Task.Delay(200);

        capture.Dispose();

        Assert.Equal(LiveReadResult.Ended, await reading.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Throws<ObjectDisposedException>(() => capture.ReadFrame(out _, TimeSpan.Zero));
    }

    [RootFact]
    public void A_duration_ends_a_quiet_capture_on_time()
    {
        using var capture = LiveCapture.Open(new LiveCaptureOptions
        {
            Interface = "lo",
            Filter = "port 9 and host 192.0.2.77",
            Duration = TimeSpan.FromMilliseconds(600),
        });
        var clock = Stopwatch.StartNew();

        var read = capture.TryReadFrame(out _);

        Assert.False(read);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(2));
    }

    [RootFact]
    public async Task Stop_from_another_thread_ends_a_read_that_is_waiting()
    {
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "any", Filter = "host 192.0.2.77" });
        var clock = Stopwatch.StartNew();

        var reading = Task.Run(() => capture.TryReadFrame(out _));
        await Task.Delay(300);
        capture.Stop();
        var read = await reading.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.False(read);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));
    }

    [RootFact]
    public void Cancelling_the_token_ends_the_capture()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        using var capture = LiveCapture.Open(new LiveCaptureOptions
        {
            Interface = "lo",
            Filter = "host 192.0.2.77",
            CancellationToken = cancellation.Token,
        });
        var clock = Stopwatch.StartNew();

        Assert.Equal(LiveReadResult.Ended, capture.ReadFrame(out _, TimeSpan.FromSeconds(20)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2));
    }

    [RootFact]
    public void A_read_with_a_timeout_returns_when_nothing_arrives()
    {
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "lo", Filter = "host 192.0.2.77" });
        var clock = Stopwatch.StartNew();

        Assert.Equal(LiveReadResult.TimedOut, capture.ReadFrame(out _, TimeSpan.FromMilliseconds(250)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2));
        Assert.Equal(LiveReadResult.TimedOut, capture.ReadFrame(out _, TimeSpan.Zero));
    }

    [RootFact]
    public void The_kernel_accepts_the_program_of_every_filter_form()
    {
        foreach (var expression in FilterSemanticsTests.ExpressionList)
        {
            using var capture = LiveCapture.Open(new LiveCaptureOptions
            {
                Interface = "lo",
                Filter = expression,
                SnapLength = 1024,
                RingSize = 256 * 1024,
            });

            // Open attaches the program with SO_ATTACH_FILTER, which fails if the kernel's checker rejects it.
            Assert.NotEqual(LiveReadResult.Ended, capture.ReadFrame(out _, TimeSpan.Zero));
        }
    }

    [RootFact]
    public async Task A_program_with_jumps_beyond_255_instructions_runs_in_the_kernel()
    {
        await using var server = new LoopbackTraffic(IPAddress.IPv6Loopback);
        var hosts = string.Join(" or ", Enumerable.Range(1, 40).Select(i => $"host 2001:db8::{i:x}"));
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "lo", Filter = $"({hosts} or host ::1) and port {server.Port}" });
        Assert.True(capture.Program.Length > 300);

        using var timeout = new CancellationTokenSource(ReadLimit);
        await server.ConverseAsync(1, timeout.Token);
        var segments = ReadUntil(capture, s => s.Count(x => x.IsFin) >= 2);

        Assert.Equal(1, segments.Count(s => s.IsClientSyn));
    }

    [RootFact]
    public async Task Captured_frames_decode_in_tshark_as_the_same_tcp_segments()
    {
        await using var server = new LoopbackTraffic(IPAddress.Loopback);
        using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "lo", Filter = $"port {server.Port}" });
        using var timeout = new CancellationTokenSource(ReadLimit);
        await server.ConverseAsync(2, timeout.Token);

        var frames = new List<byte[]>();
        var ours = new List<string>();
        var clock = Stopwatch.StartNew();
        while (ours.Count(l => l.EndsWith(" FIN", StringComparison.Ordinal)) < 4 && clock.Elapsed < ReadLimit)
        {
            if (capture.ReadFrame(out var frame, TimeSpan.FromMilliseconds(200)) == LiveReadResult.Frame)
            {
                frames.Add(frame.Data.ToArray());
                var segment = CapturedSegment.Decode(frame);
                ours.Add($"{segment.SourcePort} {segment.DestinationPort}{(segment.IsFin ? " FIN" : string.Empty)}");
            }
        }

        Assert.Equal(4, ours.Count(l => l.EndsWith(" FIN", StringComparison.Ordinal)));
        var path = Path.Combine(Path.GetTempPath(), $"linger-live-{Guid.NewGuid():N}.pcap");
        try
        {
            ClassicPcap.Write(path, ClassicPcap.LinkTypeLinuxSll2, frames);
            var theirs = await TsharkAsync(path);
            Assert.Equal(ours, theirs);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [LinuxFact]
    public void An_unknown_interface_is_reported_with_the_ones_that_exist()
    {
        var error = Assert.Throws<CaptureInterfaceException>(() => LiveCapture.Open(new LiveCaptureOptions { Interface = "nosuch0" }));

        Assert.Contains("no network interface named 'nosuch0'", error.Message, StringComparison.Ordinal);
        Assert.Contains("lo", error.Available);
        Assert.Equal("any", error.Available[0]);
        Assert.Contains("any, ", error.Message, StringComparison.Ordinal);
        foreach (var name in Directory.EnumerateFileSystemEntries("/sys/class/net").Select(Path.GetFileName))
        {
            Assert.Contains(name!, error.Message, StringComparison.Ordinal);
        }
    }

    [LinuxFact]
    public void A_bad_filter_is_reported_before_anything_is_opened()
    {
        var error = Assert.Throws<FilterSyntaxException>(() => LiveCapture.Open(new LiveCaptureOptions { Interface = "lo", Filter = "port x" }));

        Assert.Equal(6, error.Column);
    }

    [LinuxFact]
    public void Without_CAP_NET_RAW_the_error_says_what_is_needed_and_how_to_get_it()
    {
        Exception? caught = null;
        var thread = new Thread(() =>
        {
            // This thread alone loses CAP_NET_RAW: the kernel refuses the packet socket exactly as for an ordinary user.
            var previous = ThreadCapabilities.DropEffective(ThreadCapabilities.NetRaw);
            try
            {
                using var capture = LiveCapture.Open(new LiveCaptureOptions { Interface = "lo" });
            }
            catch (Exception e)
            {
                caught = e;
            }
            finally
            {
                ThreadCapabilities.RestoreEffective(previous);
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)));

        var error = Assert.IsType<CapturePermissionException>(caught);
        Assert.StartsWith("live capture needs root or the CAP_NET_RAW capability: run with sudo, or grant it with `sudo setcap cap_net_raw+ep", error.Message, StringComparison.Ordinal);
        var refusal = Assert.IsType<SocketException>(error.InnerException);
        Assert.Equal(SocketError.AccessDenied, refusal.SocketErrorCode); // the kernel's EPERM, as .NET reports it
    }

    private static List<CapturedSegment> ReadUntil(LiveCapture capture, Func<List<CapturedSegment>, bool> enough)
    {
        var segments = new List<CapturedSegment>();
        var clock = Stopwatch.StartNew();
        while (!enough(segments) && clock.Elapsed < ReadLimit)
        {
            if (capture.ReadFrame(out var frame, TimeSpan.FromMilliseconds(200)) == LiveReadResult.Frame)
            {
                segments.Add(CapturedSegment.Decode(frame));
            }
        }

        // Keep reading a little: a duplicate or a stray packet would arrive now.
        while (capture.ReadFrame(out var frame, TimeSpan.FromMilliseconds(300)) == LiveReadResult.Frame)
        {
            segments.Add(CapturedSegment.Decode(frame));
        }

        Assert.True(enough(segments), $"only {segments.Count} segments arrived in {ReadLimit.TotalSeconds} s");
        return segments;
    }

    private static async Task<List<string>> TsharkAsync(string path)
    {
        var psi = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-n", "-r", path, "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags.fin"])
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("tshark did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await errors);

        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(f => $"{f[0]} {f[1]}{(f[2] is "1" or "True" ? " FIN" : string.Empty)}")
            .ToList();
    }
}
