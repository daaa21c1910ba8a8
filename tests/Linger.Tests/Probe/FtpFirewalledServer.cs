using System.Globalization;
using System.Net;

namespace Linger.Tests.Probe;

/// <summary>
/// vsftpd inside its own network namespace <c>lgrftp-&lt;pid&gt;</c>, reached over a veth pair
/// (10.247.N.1 here, 10.247.N.2 there), with an nftables rule in the namespace that blocks the passive port range:
/// the control port works and every data connection fails, as behind a firewall that only opened port 21. Dispose
/// stops vsftpd and deletes the namespace (which takes the veth pair and the rule with it).
/// </summary>
public sealed class FtpFirewalledServer : IDisposable
{
    private readonly string _namespace;

    /// <param name="verdict"><c>drop</c> (filtered: SYNs vanish) or <c>reject with tcp reset</c> (closed).</param>
    public FtpFirewalledServer(string verdict)
    {
        var pid = Environment.ProcessId;
        _namespace = string.Create(CultureInfo.InvariantCulture, $"lgrftp-{pid}");
        var host = string.Create(CultureInfo.InvariantCulture, $"lgrftp{pid % 1000000}h");
        var inside = string.Create(CultureInfo.InvariantCulture, $"lgrftp{pid % 1000000}n");
        var net = string.Create(CultureInfo.InvariantCulture, $"10.247.{pid % 256}");
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
            Server = FtpTestServer.Start(address: IPAddress.Parse($"{net}.2"), netns: _namespace);
            var rules = string.Create(CultureInfo.InvariantCulture,
                $"table inet lgrftp {{\n  chain input {{\n    type filter hook input priority 0;\n    tcp dport {Server.PassiveMin}-{Server.PassiveMax} {verdict}\n  }}\n}}\n");
            var rulesFile = Path.Combine(Path.GetTempPath(), $"{_namespace}.nft");
            File.WriteAllText(rulesFile, rules);
            try
            {
                Check("ip", "netns", "exec", _namespace, "nft", "-f", rulesFile);
            }
            finally
            {
                File.Delete(rulesFile);
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

    private void Remove()
    {
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
