using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Linger.Flows;
using Linger.Wire;
using Linger.Wire.Decoding;
using Linger.Wire.Live;

namespace Linger.Probe.Tcp;

/// <summary>
/// The probe's own packets, captured live on the interface the route to the target uses while the probe runs, then
/// handed to the conversation analyser. One reader thread; bounded in packets kept and in time.
/// </summary>
internal sealed class ProbeCapture : IDisposable
{
    private const int MaxPackets = 200_000;
    private static readonly TimeSpan ReadSlice = TimeSpan.FromMilliseconds(100);
    private readonly LiveCapture _capture;
    private readonly List<TcpPacket> _packets = [];
    private readonly Lock _gate = new();
    private readonly Thread _reader;

    private ProbeCapture(LiveCapture capture, string filter)
    {
        _capture = capture;
        Filter = filter;
        _reader = new Thread(Read) { IsBackground = true, Name = "probe capture" };
        _reader.Start();
    }

    /// <summary>The interface captured on.</summary>
    public string InterfaceName => _capture.InterfaceName;

    /// <summary>The capture filter.</summary>
    public string Filter { get; }

    /// <summary>
    /// Starts capturing traffic between this machine and <paramref name="addresses"/> on <paramref name="port"/>.
    /// </summary>
    /// <exception cref="CapturePermissionException">Not root and no CAP_NET_RAW.</exception>
    /// <exception cref="CaptureInterfaceException">The route's interface cannot be captured on.</exception>
    public static ProbeCapture Start(IReadOnlyList<IPAddress> addresses, int port)
    {
        var hosts = string.Join(" or ", addresses.Select(a => $"host {a}"));
        var filter = string.Create(CultureInfo.InvariantCulture, $"{(addresses.Count > 1 ? $"({hosts})" : hosts)} and port {port}");
        var interfaces = addresses.Select(InterfaceFor).Distinct(StringComparer.Ordinal).ToList();
        var capture = LiveCapture.Open(new LiveCaptureOptions
        {
            Interface = interfaces.Count == 1 ? interfaces[0] : "any",
            Filter = filter,
            Duration = TimeSpan.FromHours(1),
        });
        return new ProbeCapture(capture, filter);
    }

    /// <summary>Ends the capture (after letting the last packets arrive) and runs the analyser over what it saw.</summary>
    public IReadOnlyList<ConversationSummary> StopAndAnalyze(TimeSpan settle)
    {
        Thread.Sleep(settle);
        _capture.Stop();
        _reader.Join(TimeSpan.FromSeconds(2));
        List<TcpPacket> packets;
        lock (_gate)
        {
            packets = [.. _packets];
        }

        return [.. ConversationTracker.Analyze(packets)];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _capture.Stop();
        _reader.Join(TimeSpan.FromSeconds(2));
        _capture.Dispose();
    }

    /// <summary>The interface the kernel would send to <paramref name="destination"/> from: the one holding the source address it picks.</summary>
    internal static string InterfaceFor(IPAddress destination)
    {
        if (IPAddress.IsLoopback(destination))
        {
            return OperatingSystem.IsLinux() ? "lo" : "any";
        }

        try
        {
            using var udp = new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            udp.Connect(destination, 9); // a UDP connect only asks the routing table; nothing is sent
            var local = ((IPEndPoint)udp.LocalEndPoint!).Address;
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(local)))
                {
                    return nic.Name;
                }
            }
        }
        catch (SocketException)
        {
            // No route: capture everywhere, the connect will report the rest.
        }

        return "any";
    }

    private void Read()
    {
        var stats = default(DecodeStats);
        long frames = 0;
        while (frames < MaxPackets)
        {
            LiveReadResult result;
            try
            {
                result = _capture.ReadFrame(out var frame, ReadSlice);
                if (result == LiveReadResult.Frame)
                {
                    frames++;
                    if (PacketDecoder.TryDecode(in frame, frames, out var packet, ref stats))
                    {
                        lock (_gate)
                        {
                            _packets.Add(packet);
                        }
                    }
                }
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (result == LiveReadResult.Ended)
            {
                return;
            }
        }
    }
}
