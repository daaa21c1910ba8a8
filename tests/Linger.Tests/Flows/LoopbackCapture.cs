using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Linger.Wire;

namespace Linger.Tests.Flows;

/// <summary>
/// tcpdump capturing one TCP port on loopback while a test makes real sockets talk, and the packets it captured,
/// decoded by tshark into <see cref="TcpPacket"/>s (the capture-file reader is tested elsewhere; here tshark is the
/// independent decoder).
/// </summary>
internal sealed partial class LoopbackCapture : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly Process _tcpdump;
    private readonly string _file;

    private LoopbackCapture(Process tcpdump, string file)
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
        var psi = new ProcessStartInfo("tcpdump", ["-i", "lo", "--immediate-mode", "-U", "-n", "-w", file, $"tcp port {port}"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var tcpdump = Process.Start(psi) ?? throw new InvalidOperationException("tcpdump did not start");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Deadline);
        while (await tcpdump.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains("listening on", StringComparison.Ordinal))
            {
                return new LoopbackCapture(tcpdump, file);
            }
        }

        throw new InvalidOperationException($"tcpdump exited without listening (exit code {(tcpdump.HasExited ? tcpdump.ExitCode : -1)})");
    }

    /// <summary>Stops tcpdump (after a moment for the last packets) and decodes what it captured.</summary>
    public async Task<IReadOnlyList<TcpPacket>> StopAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(300, cancellationToken);
        await StopTcpdumpAsync(cancellationToken);

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
        using var timeout = new CancellationTokenSource(Deadline);
        await StopTcpdumpAsync(timeout.Token);
        _tcpdump.Dispose();
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

    private async Task StopTcpdumpAsync(CancellationToken cancellationToken)
    {
        if (_tcpdump.HasExited)
        {
            return;
        }

        // SIGINT lets tcpdump flush and close the file; SIGKILL only if it does not exit in time.
        _ = Kill(_tcpdump.Id, 2);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await _tcpdump.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _tcpdump.Kill();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
