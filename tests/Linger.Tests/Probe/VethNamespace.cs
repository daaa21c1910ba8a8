using System.Globalization;
using System.Net;

using Linger.Tests.Probe.Smtp;

namespace Linger.Tests.Probe;

/// <summary>
/// A network namespace <c>PREFIX-PID-N</c> joined to this one by a veth pair on a /30 of 10.249.0.0/16
/// (<see cref="Here"/> on this side, <see cref="There"/> inside), with loopback up inside. Servers started in it have
/// its own port space; nftables rules loaded into it filter what reaches them. Dispose deletes the namespace, which
/// takes the veth pair and the rules with it, and the table <see cref="LoadHostRules"/> made on this side; a namespace of
/// the same name left by a killed run is deleted first.
/// Every instance has names of its own: the kernel finishes deleting a namespace (and its veth pair) after
/// <c>ip netns del</c> returns, so a name used again at once can still be taken.
/// </summary>
public sealed class VethNamespace : IDisposable
{
    private static int _serial;
    private bool _hostRules;

    public VethNamespace(string prefix)
    {
        var pid = Environment.ProcessId;
        var n = Interlocked.Increment(ref _serial);
        Name = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{pid}-{n}");

        // Interface names are at most 15 characters; the pair vanishes with the namespace.
        var host = HostInterface = string.Create(CultureInfo.InvariantCulture, $"lgs{pid % 100000}-{n}h");
        var inside = string.Create(CultureInfo.InvariantCulture, $"lgs{pid % 100000}-{n}n");
        Here = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.249.{pid % 250}.{(4 * (n % 64)) + 1}"));
        There = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.249.{pid % 250}.{(4 * (n % 64)) + 2}"));
        Remove();
        try
        {
            PostfixServer.Check("ip", "netns", "add", Name);
            PostfixServer.Check("ip", "link", "add", host, "type", "veth", "peer", "name", inside, "netns", Name);
            PostfixServer.Check("ip", "addr", "add", $"{Here}/30", "dev", host);
            PostfixServer.Check("ip", "link", "set", host, "up");
            Exec("ip", "addr", "add", $"{There}/30", "dev", inside);
            Exec("ip", "link", "set", inside, "up");
            Exec("ip", "link", "set", "lo", "up");
        }
        catch
        {
            Remove();
            throw;
        }
    }

    /// <summary>The namespace's name under /run/netns.</summary>
    public string Name { get; }

    /// <summary>This side's interface of the pair.</summary>
    public string HostInterface { get; }

    /// <summary>This side's address on the pair.</summary>
    public IPAddress Here { get; }

    /// <summary>The namespace's address on the pair.</summary>
    public IPAddress There { get; }

    /// <summary>Runs a command inside the namespace; it must succeed.</summary>
    public void Exec(string file, params string[] args) => PostfixServer.Check("ip", ["netns", "exec", Name, file, .. args]);

    /// <summary>The one nftables table <see cref="LoadHostRules"/> may create here: the namespace's name with underscores.</summary>
    public string HostTable => Name.Replace('-', '_');

    /// <summary>Loads an nftables ruleset (nft -f syntax) into the namespace.</summary>
    public void LoadRules(string ruleset) => Load(ruleset, Name, file => Exec("nft", "-f", file));

    /// <summary>
    /// Loads an nftables ruleset here, in the probe's own namespace, for traffic over the pair (match on
    /// <see cref="HostInterface"/>). Its one table must be <see cref="HostTable"/>, which Dispose deletes.
    /// </summary>
    public void LoadHostRules(string ruleset)
    {
        Load(ruleset, HostTable, file => PostfixServer.Check("nft", "-f", file));
        _hostRules = true;
    }

    public void Dispose()
    {
        try
        {
            if (_hostRules)
            {
                PostfixServer.Check("nft", "delete", "table", "inet", HostTable);
            }
        }
        finally
        {
            Remove();
        }
    }

    /// <summary>Writes <paramref name="ruleset"/> to a file of its own for <paramref name="load"/>, and removes it after.</summary>
    private static void Load(string ruleset, string label, Action<string> load)
    {
        var file = Path.Combine(Path.GetTempPath(), $"{label}.nft");
        File.WriteAllText(file, ruleset);
        try
        {
            load(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private void Remove()
    {
        if (File.Exists($"/run/netns/{Name}"))
        {
            PostfixServer.Run("ip", "netns", "del", Name);
        }
    }
}
