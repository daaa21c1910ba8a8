using System.Net;
using System.Net.Sockets;

namespace Linger.Lab;

/// <summary>Both sides on this machine's loopback interface, in the lab's own network namespace.</summary>
internal sealed class LoopbackSite : LabSite
{
    public override IPAddress ClientAddress => IPAddress.Loopback;

    public override IPAddress ServerAddress => IPAddress.Loopback;

    public override Socket CreateSocket(Actor actor) => new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public override IReadOnlyList<TcpTableEntry> ReadTcpTable(Actor actor) => ProcNetTcp.Read("/proc/self/net");

    public override LabCaptureSession StartCapture(string filter, string pcapngPath, CancellationToken cancellationToken) =>
        LiveCaptureSession.Open("lo", filter, pcapngPath, cancellationToken);
}
