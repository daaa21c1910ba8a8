namespace Linger.Tests.Probe.Smtp;

/// <summary>
/// A mail server behind a path that blocks port 25, as home and mobile providers do. How it is made: a
/// <see cref="VethNamespace"/> <c>lgrsmtp-PID-N</c> (its own port space, so postfix can listen on 25, 587 and 465
/// there), a <see cref="PostfixServer"/> started inside it, and an nftables rule in the namespace that drops or
/// resets every connection to port 25 while 587 and 465 pass. To the probe on this side that is the same wire as a
/// provider's filter in the path. Dispose stops postfix, then deletes the namespace with the rule.
/// </summary>
public abstract class Port25BlockedNetwork : IDisposable
{
    private readonly VethNamespace _network = new("lgrsmtp");

    /// <param name="verdict"><c>drop</c> (SYNs vanish) or <c>reject with tcp reset</c> (SYNs answered by RST).</param>
    protected Port25BlockedNetwork(string verdict)
    {
        try
        {
            _network.LoadRules($"table inet lgrsmtp {{\n  chain input {{\n    type filter hook input priority 0;\n    tcp dport 25 {verdict}\n  }}\n}}\n");
            Server = new PostfixServer(_network.There, _network.Name);
        }
        catch
        {
            _network.Dispose();
            throw;
        }
    }

    /// <summary>postfix in the namespace, on 25 (blocked), 587 and 465.</summary>
    public PostfixServer Server { get; }

    public void Dispose()
    {
        try
        {
            Server.Dispose();
        }
        finally
        {
            _network.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>Port 25 dropped: the probe's SYNs go unanswered.</summary>
public sealed class DroppedPort25Network() : Port25BlockedNetwork("drop");

/// <summary>Port 25 reset: the probe's SYNs are answered by RST.</summary>
public sealed class ResetPort25Network() : Port25BlockedNetwork("reject with tcp reset");
