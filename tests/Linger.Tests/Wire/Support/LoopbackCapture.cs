using System.Net;
using Linger.Wire;
using Linger.Wire.Decoding;
using Linger.Wire.Files;

namespace Linger.Tests.Wire.Support;

/// <summary>
/// A class fixture: a real capturer records a <see cref="LoopbackExchange"/> on the loopback interface, then tshark
/// reports what it sees in the file (frames, TCP fields, conversations), once for all the tests of a class.
/// </summary>
public abstract class LoopbackCapture : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("linger-real-capture-").FullName;

    public string File => Path.Combine(_dir, FileName);

    /// <summary>Every conversation the exchange made, as unordered endpoint pairs.</summary>
    public HashSet<Conversation> MadeConversations { get; } = [];

    /// <summary>What the capturer printed, for failure messages.</summary>
    public string CapturerLog { get; private set; } = "";

    /// <summary>tshark's rows for every frame: number, time_epoch.</summary>
    public string[][] TsharkFrames { get; private set; } = [];

    /// <summary>tshark's rows for every TCP frame, <see cref="TcpFields"/> in order.</summary>
    public string[][] TsharkTcp { get; private set; } = [];

    /// <summary>tshark's TCP conversation table rows.</summary>
    public string[] TsharkConversations { get; private set; } = [];

    public static string[] TcpFields =>
    [
        "frame.number", "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "tcp.len",
        "tcp.window_size_value", "ip.ttl", "ipv6.hlim", "ip.id", "tcp.options.wscale.shift",
    ];

    /// <summary>
    /// The capturer's kernel buffer: 64 MiB. The default 2 MiB holds only a few 64 KiB loopback packets, and a
    /// capturer starved of CPU for a moment on a busy machine would drop the rest.
    /// </summary>
    protected const string KernelBufferKiB = "65536";

    protected abstract string FileName { get; }

    protected abstract string Tool { get; }

    protected abstract string ReadyText { get; }

    public async Task InitializeAsync()
    {
        // Without root there is no capture; the tests using this fixture are skipped (RootFact).
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return;
        }

        using var exchange = new LoopbackExchange();
        await using (var capturer = await CaptureProcess.StartAsync(Tool, Arguments(File, exchange.Filter), ReadyText))
        {
            await exchange.RunAsync();
            foreach (var (client, server) in exchange.Conversations)
            {
                MadeConversations.Add(Conversation.Of(IpAddress.From(client.Address), (ushort)client.Port, IpAddress.From(server.Address), (ushort)server.Port));
            }

            // A capturer stopped by SIGINT drops what is still in its kernel ring, and on a busy machine it can lag
            // seconds behind: stop it only once the file shows every conversation and has stopped growing.
            await WaitUntilWrittenAsync(TimeSpan.FromSeconds(20));
            await capturer.StopAsync();
            CapturerLog = capturer.Stderr;
        }

        TsharkFrames = await Tshark.FieldsAsync(File, null, "frame.number", "frame.time_epoch");
        TsharkTcp = await Tshark.FieldsAsync(File, "tcp", TcpFields);
        TsharkConversations = await Tshark.TcpConversationsAsync(File);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Reads the file with Linger: every frame's time, and every decoded TCP packet.</summary>
    public (List<long> FrameTimes, List<TcpPacket> Packets, DecodeStats Stats) ReadWithLinger()
    {
        var times = new List<long>();
        var packets = new List<TcpPacket>();
        var stats = default(DecodeStats);
        using var source = CaptureFile.Open(File);
        while (source.TryReadFrame(out var frame))
        {
            times.Add(frame.TimestampNs);
            if (PacketDecoder.TryDecode(frame, times.Count, out var packet, ref stats))
            {
                packets.Add(packet);
            }
        }

        Assert.Empty(source.Warnings);
        return (times, packets, stats);
    }

    protected abstract IEnumerable<string> Arguments(string file, string filter);

    private async Task WaitUntilWrittenAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var lastLength = -1L;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            var length = System.IO.File.Exists(File) ? new FileInfo(File).Length : 0;
            if (length == lastLength && length > 0 && MadeConversations.IsSubsetOf(ConversationsSoFar()))
            {
                return;
            }

            lastLength = length;
        }
    }

    /// <summary>The conversations in the file as far as it is written (a last record may be half written).</summary>
    private HashSet<Conversation> ConversationsSoFar()
    {
        var seen = new HashSet<Conversation>();
        var stats = default(DecodeStats);
        try
        {
            using var source = CaptureFile.Open(File);
            while (source.TryReadFrame(out var frame))
            {
                if (PacketDecoder.TryDecode(frame, 0, out var packet, ref stats))
                {
                    seen.Add(Conversation.Of(packet));
                }
            }
        }
        catch (CaptureFormatException)
        {
            // Not even the file header yet.
        }

        return seen;
    }
}

/// <summary>A TCP conversation as an unordered pair of endpoints.</summary>
public readonly record struct Conversation(IpAddress A, ushort PortA, IpAddress B, ushort PortB)
{
    public static Conversation Of(IpAddress x, ushort portX, IpAddress y, ushort portY) =>
        (x, portX).CompareTo((y, portY)) <= 0 ? new(x, portX, y, portY) : new(y, portY, x, portX);

    public static Conversation Of(TcpPacket p) => Of(p.Source, p.SourcePort, p.Destination, p.DestinationPort);

    public override string ToString() =>
        $"{new IPEndPoint(A.ToIPAddress(), PortA)} <-> {new IPEndPoint(B.ToIPAddress(), PortB)}";
}

/// <summary>
/// tcpdump writing classic pcap with microsecond times, each packet cut to 300 bytes (loopback packets reach 64 KiB),
/// so payload lengths must come from the IP headers.
/// </summary>
public sealed class TcpdumpCapture : LoopbackCapture
{
    protected override string FileName => "tcpdump.pcap";

    protected override string Tool => "tcpdump";

    protected override string ReadyText => "listening on";

    protected override IEnumerable<string> Arguments(string file, string filter) =>
        ["-i", "lo", "-n", "-U", "--immediate-mode", "-Z", "root", "-B", KernelBufferKiB, "-s", "300", "-w", file, filter];
}

/// <summary>tcpdump writing classic pcap with nanosecond times (the nanosecond magic).</summary>
public sealed class TcpdumpNanosecondCapture : LoopbackCapture
{
    protected override string FileName => "tcpdump-nano.pcap";

    protected override string Tool => "tcpdump";

    protected override string ReadyText => "listening on";

    protected override IEnumerable<string> Arguments(string file, string filter) =>
        ["-i", "lo", "-n", "-U", "--immediate-mode", "-Z", "root", "-B", KernelBufferKiB, "--time-stamp-precision", "nano", "-w", file, filter];
}

/// <summary>tshark (dumpcap) writing pcapng.</summary>
public sealed class TsharkCapture : LoopbackCapture
{
    protected override string FileName => "tshark.pcapng";

    protected override string Tool => "tshark";

    // "Capturing on" comes before dumpcap has opened the interface; this comes after.
    protected override string ReadyText => "Capture started";

    protected override IEnumerable<string> Arguments(string file, string filter) =>
        ["-i", "lo", "-n", "-B", "64", "-w", file, "-F", "pcapng", "-f", filter];
}
