using System.Globalization;
using System.Net;

namespace Linger.Tests.Probe.Smtp;

/// <summary>
/// A mail server behind a path that blocks port 25, as home and mobile providers do. How it is made: a network
/// namespace <c>lgrsmtp-PID-N</c> (its own port space, so postfix can listen on 25, 587 and 465 there) reached over a
/// veth pair (10.249.X.4N+1 here, +2 there), a <see cref="PostfixServer"/> started inside it, and an nftables rule in
/// the namespace that drops or resets every connection to port 25 while 587 and 465 pass. To the probe on this side
/// that is the same wire as a provider's filter in the path. Dispose stops postfix and deletes the namespace, which
/// takes the veth pair and the rule with it; a namespace of the same name left by a killed run is deleted first.
/// </summary>
public abstract class Port25BlockedNetwork : IDisposable
{
    private static int _serial;
    private readonly string _namespace;

    /// <param name="verdict"><c>drop</c> (SYNs vanish) or <c>reject with tcp reset</c> (SYNs answered by RST).</param>
    protected Port25BlockedNetwork(string verdict)
    {
        var pid = Environment.ProcessId;
        var n = Interlocked.Increment(ref _serial);
        _namespace = string.Create(CultureInfo.InvariantCulture, $"lgrsmtp-{pid}-{n}");
        var host = string.Create(CultureInfo.InvariantCulture, $"lgs{pid % 100000}-{n}h");
        var inside = string.Create(CultureInfo.InvariantCulture, $"lgs{pid % 100000}-{n}n");
        var net = string.Create(CultureInfo.InvariantCulture, $"10.249.{pid % 250}");
        var here = string.Create(CultureInfo.InvariantCulture, $"{net}.{(4 * n) + 1}");
        var there = string.Create(CultureInfo.InvariantCulture, $"{net}.{(4 * n) + 2}");
        Remove();
        try
        {
            PostfixServer.Check("ip", "netns", "add", _namespace);
            PostfixServer.Check("ip", "link", "add", host, "type", "veth", "peer", "name", inside, "netns", _namespace);
            PostfixServer.Check("ip", "addr", "add", $"{here}/30", "dev", host);
            PostfixServer.Check("ip", "link", "set", host, "up");
            InNamespace("ip", "addr", "add", $"{there}/30", "dev", inside);
            InNamespace("ip", "link", "set", inside, "up");
            InNamespace("ip", "link", "set", "lo", "up");
            var rules = Path.Combine(Path.GetTempPath(), $"{_namespace}.nft");
            File.WriteAllText(rules, $"table inet lgrsmtp {{\n  chain input {{\n    type filter hook input priority 0;\n    tcp dport 25 {verdict}\n  }}\n}}\n");
            try
            {
                InNamespace("nft", "-f", rules);
            }
            finally
            {
                File.Delete(rules);
            }

            Server = new PostfixServer(IPAddress.Parse(there), _namespace);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>postfix in the namespace, on 25 (blocked), 587 and 465.</summary>
    public PostfixServer Server { get; } = null!;

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

        GC.SuppressFinalize(this);
    }

    private void InNamespace(string file, params string[] args) => PostfixServer.Check("ip", ["netns", "exec", _namespace, file, .. args]);

    private void Remove()
    {
        if (File.Exists($"/run/netns/{_namespace}"))
        {
            PostfixServer.Run("ip", "netns", "del", _namespace);
        }
    }
}

/// <summary>Port 25 dropped: the probe's SYNs go unanswered.</summary>
public sealed class DroppedPort25Network() : Port25BlockedNetwork("drop");

/// <summary>Port 25 reset: the probe's SYNs are answered by RST.</summary>
public sealed class ResetPort25Network() : Port25BlockedNetwork("reject with tcp reset");
