using System.Diagnostics;
using System.Globalization;
using System.Net;
using Linger.Tests.Wire.Support;
using Linger.Wire;

namespace Linger.Tests.Flows;

/// <summary>
/// tcpdump capturing one TCP port on loopback while a test makes real sockets talk, and the packets it captured,
/// decoded by tshark into <see cref="TcpPacket"/>s (the capture-file reader is tested elsewhere; here tshark is the
/// independent decoder).
/// </summary>
internal sealed class LoopbackCapture : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly CaptureProcess _tcpdump;
    private readonly string _file;

    private LoopbackCapture(CaptureProcess tcpdump, string file)
    {
        _tcpdump = tcpdump;
        _file = file;
    }

    /// <summary>
    /// Starts tcpdump on lo for <paramref name="port"/> and waits until it is listening. Immediate mode, so packets
    /// reach the file at once instead of when the kernel's ring block times out.
    /// </summary>
    public static async Task<LoopbackCapture> StartAsync(int port, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Path.GetTempPath(), $"linger-flows-{Environment.ProcessId}-{port}.pcap");
        cancellationToken.ThrowIfCancellationRequested();
        var tcpdump = await CaptureProcess.StartAsync("tcpdump", ["-i", "lo", "--immediate-mode", "-U", "-n", "-w", file, $"tcp port {port}"], "listening on");
        return new LoopbackCapture(tcpdump, file);
    }

    public async Task<IReadOnlyList<TcpPacket>> StopAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(300, cancellationToken);
        await _tcpdump.StopAsync();

        var psi = new ProcessStartInfo("tshark",
        [
            "-r", _file, "-T", "fields", "-E", "separator=,",
            "-e", "frame.number", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "ip.dst", "-e", "tcp.srcport",
            "-e", "tcp.dstport", "-e", "tcp.seq_raw", "-e", "tcp.ack_raw", "-e", "tcp.flags", "-e", "tcp.window_size_value",
            "-e", "tcp.options.wscale.shift", "-e", "tcp.len", "-e", "ip.ttl", "-e", "ip.id", "-e", "frame.len",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var tshark = Process.Start(psi) ?? throw new InvalidOperationException("tshark did not start");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Deadline);
        var stdout = tshark.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = tshark.StandardError.ReadToEndAsync(timeout.Token);
        await tshark.WaitForExitAsync(timeout.Token);
        Assert.True(tshark.ExitCode == 0, $"tshark failed: {await stderr}");

        var packets = new List<TcpPacket>();
        foreach (var line in (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            packets.Add(Parse(line));
        }

        return packets;
    }

    public async ValueTask DisposeAsync()
    {
        await _tcpdump.DisposeAsync();
        File.Delete(_file);
    }

    private static TcpPacket Parse(string line)
    {
        var f = line.Split(',');
        var inv = CultureInfo.InvariantCulture;
        return new TcpPacket
        {
            FrameNumber = long.Parse(f[0], inv) - 1,
            TimestampNs = (long)(decimal.Parse(f[1], inv) * 1_000_000_000m),
            Source = IpAddress.From(IPAddress.Parse(f[2])),
            Destination = IpAddress.From(IPAddress.Parse(f[3])),
            SourcePort = ushort.Parse(f[4], inv),
            DestinationPort = ushort.Parse(f[5], inv),
            Sequence = uint.Parse(f[6], inv),
            Acknowledgment = uint.Parse(f[7], inv),
            Flags = (TcpFlags)Convert.ToByte(f[8], 16),
            Window = ushort.Parse(f[9], inv),
            WindowScale = f[10].Length == 0 ? (sbyte)-1 : sbyte.Parse(f[10], inv),
            PayloadLength = int.Parse(f[11], inv),
            Ttl = byte.Parse(f[12], inv),
            IpId = Convert.ToUInt16(f[13], 16),
            WireLength = int.Parse(f[14], inv),
        };
    }
}
