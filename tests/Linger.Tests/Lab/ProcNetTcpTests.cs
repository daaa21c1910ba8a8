using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Linger.Lab;
using Linger.Tests.Support;

namespace Linger.Tests.Lab;

/// <summary>The lab reads each side's TCP state from procfs; these tests hold it against real sockets and against ss.</summary>
public sealed class ProcNetTcpTests
{
    [LinuxFact]
    public async Task A_connected_pair_shows_as_established_on_both_ends_and_the_listener_as_listen()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var server = await listener.AcceptAsync();

        var table = ProcNetTcp.Read("/proc/self/net");

        var clientEnd = (IPEndPoint)client.LocalEndPoint!;
        var serverEnd = (IPEndPoint)listener.LocalEndPoint!;
        Assert.Contains(table, e => e.Local.Equals(clientEnd) && e.Remote.Equals(serverEnd) && e.State == "ESTABLISHED");
        Assert.Contains(table, e => e.Local.Equals(serverEnd) && e.Remote.Equals(clientEnd) && e.State == "ESTABLISHED");
        Assert.Contains(table, e => e.Local.Equals(serverEnd) && e.State == "LISTEN");
    }

    [LinuxFact]
    public async Task Unread_bytes_show_in_the_receivers_queue()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var server = await listener.AcceptAsync();
        await client.SendAsync(new byte[1234], SocketFlags.None);
        await WaitUntilAsync(() => server.Available == 1234);

        var table = ProcNetTcp.Read("/proc/self/net");

        var entry = Assert.Single(table, e => e.Local.Equals(server.LocalEndPoint) && e.Remote.Equals(server.RemoteEndPoint));
        Assert.Equal(1234, entry.ReceiveQueue);
    }

    [LinuxFact]
    public async Task An_IPv6_connection_is_read_from_tcp6_with_the_addresses_ss_prints()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return;
        }

        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        listener.Listen(4);
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var server = await listener.AcceptAsync();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        var table = ProcNetTcp.Read("/proc/self/net");
        var ss = await RunAsync("ss", "-tnH", $"sport = :{port}");

        var mine = Assert.Single(table, e => e.Local.Port == port && e.State == "ESTABLISHED");
        Assert.Equal(IPAddress.IPv6Loopback, mine.Local.Address);
        Assert.Contains($"[::1]:{port}", ss, StringComparison.Ordinal);
        Assert.Contains($"[::1]:{mine.Remote.Port}", ss, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_that_is_not_a_table_row_is_rejected()
    {
        Assert.False(ProcNetTcp.TryParse("  sl  local_address rem_address   st tx_queue rx_queue", out _));
        Assert.False(ProcNetTcp.TryParse("0: 0100007F:XYZ 00000000:0000 0A 00000000:00000000", out _));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var output = await process.StandardOutput.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        return output;
    }
}
