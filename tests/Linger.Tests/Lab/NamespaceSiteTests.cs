using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Linger.Lab;
using Linger.Lab.Namespaces;
using Linger.Tests.Support;

namespace Linger.Tests.Lab;

/// <summary>The namespace site: sockets live where they were made, the TCP tables are per namespace, and nothing is left behind.</summary>
[Collection(NamespaceTestGroup.Name)]
public sealed class NamespaceSiteTests
{
    [RootFact]
    public async Task A_client_socket_lives_in_the_client_namespace_and_only_its_table_shows_it()
    {
        await using var site = await NamespaceSite.CreateAsync(CancellationToken.None);
        using var socket = site.CreateSocket(Actor.Client);

        // 10.231.1.2 exists only in the client's namespace: binding to it proves where the socket is.
        socket.Bind(new IPEndPoint(site.ClientAddress, 0));
        socket.Listen();
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;

        Assert.Contains(site.ReadTcpTable(Actor.Client), e => e.State == "LISTEN" && e.Local.Port == port);
        Assert.DoesNotContain(site.ReadTcpTable(Actor.Server), e => e.Local.Port == port);
        Assert.DoesNotContain(ProcNetTcp.Read("/proc/self/net"), e => e.Local.Port == port && e.Local.Address.Equals(site.ClientAddress));
    }

    [RootFact]
    public async Task The_host_cannot_bind_the_clients_address()
    {
        await using var site = await NamespaceSite.CreateAsync(CancellationToken.None);
        using var host = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        var error = Assert.Throws<SocketException>(() => host.Bind(new IPEndPoint(site.ClientAddress, 0)));
        Assert.Equal(SocketError.AddressNotAvailable, error.SocketErrorCode);
    }

    [RootFact]
    public async Task The_client_reaches_the_server_through_the_router()
    {
        await using var site = await NamespaceSite.CreateAsync(CancellationToken.None);
        using var listener = site.CreateSocket(Actor.Server);
        listener.Bind(new IPEndPoint(site.ServerAddress, 0));
        listener.Listen();
        using var client = site.CreateSocket(Actor.Client);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));

        var accepting = listener.AcceptAsync(timeout.Token);
        await client.ConnectAsync(listener.LocalEndPoint!, timeout.Token);
        using var accepted = await accepting;

        Assert.Equal(client.LocalEndPoint, accepted.RemoteEndPoint);
        Assert.Equal(site.ClientAddress, ((IPEndPoint)client.LocalEndPoint!).Address);
    }

    [RootFact]
    public async Task A_helper_process_prepared_for_the_server_runs_in_the_servers_namespace()
    {
        await using var site = await NamespaceSite.CreateAsync(CancellationToken.None);
        var start = site.PrepareProcess(Actor.Server, new ProcessStartInfo("cat", ["/proc/self/net/fib_trie"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        });

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var routes = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Contains(site.ServerAddress.ToString(), routes, StringComparison.Ordinal);
        Assert.DoesNotContain(site.ClientAddress.ToString(), routes, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Disposing_the_site_removes_its_namespaces()
    {
        var site = await NamespaceSite.CreateAsync(CancellationToken.None);
        var names = site.Topology.Namespaces;
        Assert.All(names, n => Assert.True(File.Exists(Path.Combine("/run/netns", n)), $"{n} should exist while the site lives"));

        await site.DisposeAsync();

        Assert.All(names, n => Assert.False(File.Exists(Path.Combine("/run/netns", n)), $"{n} should be gone"));
        Assert.DoesNotContain(await IpNetnsListAsync(), line => names.Any(n => line.StartsWith(n, StringComparison.Ordinal)));
    }

    [RootFact]
    public async Task Leftovers_of_a_dead_process_are_removed_at_the_next_start_and_a_live_ones_are_kept()
    {
        var dead = await DeadProcessIdAsync();
        var leftover = string.Create(CultureInfo.InvariantCulture, $"lgr-{dead}-1-client");
        var live = string.Create(CultureInfo.InvariantCulture, $"lgr-{Environment.ProcessId}-999999-client");
        await IpAsync("netns", "add", leftover);
        await IpAsync("netns", "add", live);
        try
        {
            await using (await NamespaceSite.CreateAsync(CancellationToken.None))
            {
                Assert.DoesNotContain(leftover, await IpNetnsListAsync());
                Assert.Contains(live, await IpNetnsListAsync());
            }
        }
        finally
        {
            await IpAsync("netns", "delete", live);
            if (File.Exists(Path.Combine("/run/netns", leftover)))
            {
                await IpAsync("netns", "delete", leftover);
            }
        }
    }

    [RootFact]
    public async Task A_run_cancelled_midway_removes_its_namespaces()
    {
        var scenario = ScenarioCatalog.Find("firewall-drop")!;
        var runner = new LabRunner(new LabEnvironment { CapturePackets = false });
        using var interrupt = new CancellationTokenSource(TimeSpan.FromMilliseconds(800));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunAsync(scenario, interrupt.Token));

        Assert.Empty(NamespaceLab.OwnNamespaces());
    }

    private static async Task<int> DeadProcessIdAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        var pid = process.Id;
        Assert.False(Directory.Exists($"/proc/{pid}"), "the process should be gone");
        return pid;
    }

    private static async Task<List<string>> IpNetnsListAsync()
    {
        var output = await IpAsync("netns", "list");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0])];
    }

    private static async Task<string> IpAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var ip = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var output = ip.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = ip.StandardError.ReadToEndAsync(timeout.Token);
        await ip.WaitForExitAsync(timeout.Token);
        Assert.True(ip.ExitCode == 0, $"ip {string.Join(' ', arguments)} failed: {await error}");
        return await output;
    }
}
