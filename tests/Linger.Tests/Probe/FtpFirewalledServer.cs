using System.Globalization;
using System.Net;

namespace Linger.Tests.Probe;

/// <summary>
/// vsftpd inside its own network namespace <c>lgrftp-&lt;pid&gt;</c>, reached over a veth pair
/// (10.247.N.1 here, 10.247.N.2 there), with an nftables rule that blocks one path. <see cref="FtpBlockedPath.PassiveRange"/>:
/// a rule in the namespace blocks the passive port range, so the control port works and every passive data connection
/// fails, as behind a server firewall that only opened port 21 (<see cref="FtpBlockedPath.ControlPort"/> blocks port 21
/// itself). <see cref="FtpBlockedPath.ConnectBack"/>: a table
/// <c>lgrftp&lt;pid&gt;</c> here, in the probe's own namespace, blocks new connections coming in from the server over
/// the veth, so active mode's connection back fails, as behind a client firewall or NAT. Dispose stops vsftpd, deletes
/// that table and the namespace (which takes the veth pair and the namespace's rule with it).
/// </summary>
public sealed class FtpFirewalledServer : IDisposable
{
    /// <summary>The test collection of every class that uses this fixture: they share one namespace name, addresses
    /// and ports, so they run one at a time.</summary>
    public const string Collection = "ftp-firewalled-server";

    private readonly string _namespace;
    private readonly string _hostTable;

    /// <param name="verdict"><c>drop</c> (filtered: SYNs vanish) or <c>reject with tcp reset</c> (closed).</param>
    /// <param name="blocked">Which path the rule blocks.</param>
    /// <param name="extraConfig">More vsftpd configuration lines.</param>
    public FtpFirewalledServer(string verdict, FtpBlockedPath blocked = FtpBlockedPath.PassiveRange, IEnumerable<string>? extraConfig = null)
    {
        var pid = Environment.ProcessId;
        _namespace = string.Create(CultureInfo.InvariantCulture, $"lgrftp-{pid}");
        var host = string.Create(CultureInfo.InvariantCulture, $"lgrftp{pid % 1000000}h");
        var inside = string.Create(CultureInfo.InvariantCulture, $"lgrftp{pid % 1000000}n");
        var net = string.Create(CultureInfo.InvariantCulture, $"10.247.{pid % 256}");
        _hostTable = string.Create(CultureInfo.InvariantCulture, $"lgrftp{pid}");
        Remove();
        try
        {
            FtpTestServer.Run("ip", "netns", "add", _namespace);
            Check("ip", "link", "add", host, "type", "veth", "peer", "name", inside, "netns", _namespace);
            Check("ip", "addr", "add", $"{net}.1/30", "dev", host);
            Check("ip", "link", "set", host, "up");
            Check("ip", "netns", "exec", _namespace, "ip", "addr", "add", $"{net}.2/30", "dev", inside);
            Check("ip", "netns", "exec", _namespace, "ip", "link", "set", inside, "up");
            Check("ip", "netns", "exec", _namespace, "ip", "link", "set", "lo", "up");
            Server = FtpTestServer.Start(extraConfig, address: IPAddress.Parse($"{net}.2"), netns: _namespace);
            if (blocked is FtpBlockedPath.PassiveRange or FtpBlockedPath.ControlPort)
            {
                var ports = blocked == FtpBlockedPath.ControlPort
                    ? Server.Port.ToString(CultureInfo.InvariantCulture)
                    : string.Create(CultureInfo.InvariantCulture, $"{Server.PassiveMin}-{Server.PassiveMax}");
                ApplyRules(_namespace, $"table inet lgrftp {{\n  chain input {{\n    type filter hook input priority 0;\n    tcp dport {ports} {verdict}\n  }}\n}}\n");
            }
            else
            {
                // A SYN without ACK from the server's side: a connection the server opens, never a reply to the probe's.
                ApplyRules(null, string.Create(CultureInfo.InvariantCulture,
                    $"table inet {_hostTable} {{\n  chain input {{\n    type filter hook input priority 0;\n    iifname \"{host}\" tcp flags & (syn | ack) == syn {verdict}\n  }}\n}}\n"));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public FtpTestServer Server { get; } = null!;

    public void Dispose()
    {
        try
        {
            Server?.Dispose();
        }
        finally
        {
            Remove();
        }
    }

    /// <summary>Loads <paramref name="rules"/> with <c>nft -f</c>, inside <paramref name="netns"/> or here when null.</summary>
    private void ApplyRules(string? netns, string rules)
    {
        var rulesFile = Path.Combine(Path.GetTempPath(), $"{_namespace}.nft");
        File.WriteAllText(rulesFile, rules);
        try
        {
            if (netns is null)
            {
                Check("nft", "-f", rulesFile);
            }
            else
            {
                Check("ip", "netns", "exec", netns, "nft", "-f", rulesFile);
            }
        }
        finally
        {
            File.Delete(rulesFile);
        }
    }

    private void Remove()
    {
        if (FtpTestServer.Capture("nft", "list", "tables").Contains($"inet {_hostTable}", StringComparison.Ordinal))
        {
            FtpTestServer.Run("nft", "delete", "table", "inet", _hostTable);
        }

        if (File.Exists($"/run/netns/{_namespace}"))
        {
            FtpTestServer.Run("ip", "netns", "del", _namespace);
        }
    }

    private static void Check(string file, params string[] args)
    {
        var output = FtpTestServer.Capture(file, args);
        if (output.Trim().Length > 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {output}");
        }
    }
}

/// <summary>The path to or from the server that an <see cref="FtpFirewalledServer"/> blocks.</summary>
public enum FtpBlockedPath
{
    /// <summary>The server's passive port range (a server-side firewall).</summary>
    PassiveRange,

    /// <summary>The control port itself (a firewall in front of the whole server).</summary>
    ControlPort,

    /// <summary>Connections from the server to this machine: active mode's connection back (a client-side firewall).</summary>
    ConnectBack,
}
