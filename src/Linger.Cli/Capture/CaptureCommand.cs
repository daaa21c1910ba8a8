using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Linger.Analysis;
using Linger.Cli.Analyze;
using Linger.Cli.Output;
using Linger.Flows;
using Linger.Wire;
using Linger.Wire.Decoding;
using Linger.Wire.Files;
using Linger.Wire.Filtering;
using Linger.Wire.Live;

namespace Linger.Cli.Capture;

/// <summary>
/// <c>linger capture -i IFACE [FILTER] [-w FILE] [--count N] [--duration T] [--analyze]</c>: live capture on Linux
/// with an AF_PACKET socket, the filter compiled to classic BPF and run in the kernel.
/// </summary>
internal static class CaptureCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout)
    {
        var iface = new Option<string>("--interface", "-i") { Description = "Interface to capture on (as 'ip link' names it), or 'any'. Default: any.", DefaultValueFactory = _ => "any", HelpName = "iface" };
        var filter = new Argument<string[]>("filter") { Arity = ArgumentArity.ZeroOrMore, Description = "Filter expression, run in the kernel (host, net, port, src/dst, tcp, ip, ip6, and/or/not, parentheses; see README). Words are joined." };
        var write = new Option<string?>("--write", "-w") { Description = "Write the packets to this pcapng file (opens in Wireshark).", HelpName = "file" };
        var count = new Option<long?>("--count", "-c") { Description = "Stop after this many packets.", HelpName = "n" };
        var duration = new Option<string?>("--duration") { Description = "Stop after this long: 30 (seconds), 30s, 500ms, 5m, 1h.", HelpName = "t" };
        var analyze = new Option<bool>("--analyze") { Description = "Print each conversation as it ends (verdict, who reset, what each side likely saw) instead of each packet." };
        var format = new Option<string>("--format") { Description = "With --analyze: table (default) or jsonl.", DefaultValueFactory = _ => "table", HelpName = "table|jsonl" };
        format.AcceptOnlyFromAmong("table", "jsonl");
        var snap = new Option<int>("--snaplen", "-s") { Description = "Bytes kept of each packet, from the IP header. Default 262144.", DefaultValueFactory = _ => 262144 };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print no line per packet (with -w)." };

        var command = new Command("capture", "Capture TCP packets live (Linux; needs root or CAP_NET_RAW), with the filter run in the kernel. Ctrl+C stops. Exit codes: 0 done, 2 usage error, 3 no such interface or unwritable file, 4 not permitted.")
        {
            iface, filter, write, count, duration, analyze, format, snap, quiet,
        };
        command.SetAction(parse =>
        {
            var filterText = string.Join(' ', parse.GetValue(filter) ?? []);
            try
            {
                _ = FilterExpression.Parse(filterText);
            }
            catch (FilterSyntaxException ex)
            {
                throw new UsageException($"bad filter: {ex.Message}");
            }

            TimeSpan? limit = null;
            if (parse.GetValue(duration) is { } d)
            {
                if (!DurationParser.TryParse(d, out var t))
                {
                    throw new UsageException($"--duration '{d}' is not a duration; write 30, 30s, 500ms, 5m or 1h.");
                }

                limit = t;
            }

            var max = parse.GetValue(count);
            if (max is <= 0)
            {
                throw new UsageException("--count must be a positive number of packets.");
            }

            var snapLength = parse.GetValue(snap);
            if (snapLength is < 64 or > 262144)
            {
                throw new UsageException("--snaplen must be between 64 and 262144 bytes.");
            }

            var settings = new Settings(parse.GetValue(iface) ?? "any", filterText, parse.GetValue(write), max, limit, parse.GetValue(analyze), parse.GetValue(format) ?? "table", snapLength, parse.GetValue(quiet));
            return Run(settings, stdout, stderr, console, rawStdout);
        });
        return command;
    }

    private sealed record Settings(string Interface, string Filter, string? WritePath, long? Count, TimeSpan? Duration, bool Analyze, string Format, int SnapLength, bool Quiet);

    private static int Run(Settings s, TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout)
    {
        if (!OperatingSystem.IsLinux())
        {
            stderr.WriteLine("linger: live capture works on Linux only (AF_PACKET sockets). On other systems capture with tcpdump or Wireshark and run 'linger analyze FILE'.");
            return ExitCodes.Input;
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        void Handle(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        LiveCapture capture;
        try
        {
            capture = LiveCapture.Open(new LiveCaptureOptions
            {
                Interface = s.Interface,
                Filter = s.Filter,
                SnapLength = s.SnapLength,
                Duration = s.Duration,
                CancellationToken = stop.Token,
            });
        }
        catch (CapturePermissionException ex)
        {
            stderr.WriteLine($"linger: {ex.Message}");
            return ExitCodes.Permission;
        }
        catch (CaptureInterfaceException ex)
        {
            stderr.WriteLine($"linger: {ex.Message}");
            return ExitCodes.Input;
        }

        using (capture)
        {
            FileStream? file = null;
            try
            {
                if (s.WritePath is not null)
                {
                    file = new FileStream(s.WritePath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"linger: cannot write {s.WritePath}: {ex.Message}");
                return ExitCodes.Input;
            }

            using (file)
            using (var pcap = file is null ? null : new PcapNgWriter(file, leaveOpen: true))
            {
                return Loop(capture, pcap, s, stdout, stderr, console, rawStdout);
            }
        }
    }

    private static int Loop(LiveCapture capture, PcapNgWriter? pcap, Settings s, TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout)
    {
        var where = s.Filter.Length > 0 ? $"{capture.InterfaceName}, filter '{s.Filter}'" : capture.InterfaceName;
        stderr.WriteLine($"linger: capturing on {where}{(s.WritePath is null ? string.Empty : $", writing {s.WritePath}")}; Ctrl+C stops.");
        stderr.Flush();

        var tracker = s.Analyze ? new ConversationTracker() : null;
        using var bytes = s.Analyze && s.Format == "jsonl" ? (rawStdout is null ? new TextWriterStream(stdout) : null) : null;
        using var jsonl = s.Analyze && s.Format == "jsonl" ? new JsonLinesWriter(bytes ?? rawStdout!) : null;
        IConversationWriter? writer = !s.Analyze ? null : jsonl is not null ? jsonl : new TableWriter(new Page(stdout, console));
        writer?.Begin(DateTimeOffset.UtcNow);
        var perPacket = !s.Analyze && !(s.Quiet && pcap is not null);
        var stats = default(DecodeStats);
        long frames = 0;
        while (s.Count is not { } max || frames < max)
        {
            if (!capture.TryReadFrame(out var frame))
            {
                break;
            }

            frames++;
            pcap?.WriteFrame(frame.LinkType, frame.TimestampNs, frame.Data, frame.OriginalLength);
            if (!PacketDecoder.TryDecode(in frame, frames, out var packet, ref stats))
            {
                continue;
            }

            if (perPacket)
            {
                stdout.WriteLine(PacketLine(in packet));
            }

            if (tracker is not null)
            {
                tracker.Add(in packet);
                while (tracker.TryTakeFinished(out var done))
                {
                    writer!.Write(done);
                }

                stdout.Flush();
            }
        }

        if (tracker is not null)
        {
            tracker.Flush();
            while (tracker.TryTakeFinished(out var rest))
            {
                writer!.Write(rest);
            }

            writer!.End(DateTimeOffset.UtcNow);
        }

        pcap?.Flush();
        stdout.Flush();
        var st = capture.Statistics;
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"linger: {frames:N0} packets captured; the kernel filter passed {st.Received:N0} and dropped {st.Dropped:N0} for lack of buffer space."));
        foreach (var w in capture.Warnings)
        {
            stderr.WriteLine($"linger: warning: {w}");
        }

        return ExitCodes.Ok;
    }

    internal static string PacketLine(in TcpPacket p)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(0).AddTicks(p.TimestampNs / 100).UtcDateTime.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        var src = new Endpoint(p.Source, p.SourcePort);
        var dst = new Endpoint(p.Destination, p.DestinationPort);
        Span<char> flags = stackalloc char[6];
        var n = 0;
        foreach (var (flag, c) in (ReadOnlySpan<(TcpFlags, char)>)[(TcpFlags.Syn, 'S'), (TcpFlags.Fin, 'F'), (TcpFlags.Rst, 'R'), (TcpFlags.Psh, 'P'), (TcpFlags.Ack, '.')])
        {
            if (p.Has(flag))
            {
                flags[n++] = c;
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{time} {src} > {dst} [{flags[..n]}] seq {p.Sequence} ack {p.Acknowledgment} win {p.Window} len {p.PayloadLength} ttl {p.Ttl}");
    }
}
