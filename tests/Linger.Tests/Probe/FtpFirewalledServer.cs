using System.Globalization;
using System.Net;

namespace Linger.Tests.Probe;

/// <summary>
/// vsftpd inside its own network namespace (a <see cref="VethNamespace"/> <c>lgrftp-PID-N</c>), with an nftables rule
/// that blocks one path. <see cref="FtpBlockedPath.PassiveRange"/>:
/// a rule in the namespace blocks the passive port range, so the control port works and every passive data connection
/// fails, as behind a server firewall that only opened port 21 (<see cref="FtpBlockedPath.ControlPort"/> blocks port 21
/// itself). <see cref="FtpBlockedPath.ConnectBack"/>: a table
/// <c>lgrftp_PID_N</c> here, in the probe's own namespace, blocks new connections coming in from the server over
/// the veth, so active mode's connection back fails, as behind a client firewall or NAT. Dispose stops vsftpd, deletes
/// that table and the namespace (which takes the veth pair and the namespace's rule with it).
/// </summary>
public sealed class FtpFirewalledServer : IDisposable
{
    /// <summary>The test collection of every class that uses this fixture: they run one at a time.</summary>
    public const string Collection = "ftp-firewalled-server";

    private readonly VethNamespace _network;

    /// <param name="verdict"><c>drop</c> (filtered: SYNs vanish) or <c>reject with tcp reset</c> (closed).</param>
    /// <param name="blocked">Which path the rule blocks.</param>
    /// <param name="extraConfig">More vsftpd configuration lines.</param>
    public FtpFirewalledServer(string verdict, FtpBlockedPath blocked = FtpBlockedPath.PassiveRange, IEnumerable<string>? extraConfig = null)
    {
        _network = new VethNamespace("lgrftp");
        try
        {
            Server = FtpTestServer.Start(extraConfig, address: _network.There, netns: _network.Name);
            if (blocked is FtpBlockedPath.PassiveRange or FtpBlockedPath.ControlPort)
            {
                var ports = blocked == FtpBlockedPath.ControlPort
                    ? Server.Port.ToString(CultureInfo.InvariantCulture)
                    : string.Create(CultureInfo.InvariantCulture, $"{Server.PassiveMin}-{Server.PassiveMax}");
                _network.LoadRules($"table inet lgrftp {{\n  chain input {{\n    type filter hook input priority 0;\n    tcp dport {ports} {verdict}\n  }}\n}}\n");
            }
            else
            {
                // A SYN without ACK from the server's side: a connection the server opens, never a reply to the probe's.
                _network.LoadHostRules(string.Create(CultureInfo.InvariantCulture,
                    $"table inet {_network.HostTable} {{\n  chain input {{\n    type filter hook input priority 0;\n    iifname \"{_network.HostInterface}\" tcp flags & (syn | ack) == syn {verdict}\n  }}\n}}\n"));
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
            _network.Dispose();
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
