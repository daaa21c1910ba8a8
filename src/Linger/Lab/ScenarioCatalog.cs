using System.Reflection;

namespace Linger.Lab;

/// <summary>Every scenario, in the order the catalogue presents them (the simple and common first).</summary>
public static class ScenarioCatalog
{
    // The catalogue's order. Scenarios are found by reflection, so adding one is adding its file (and its id here).
    private static readonly string[] Order =
    [
        "refused", "graceful-close", "abortive-close", "close-with-unread-data", "write-after-peer-close",
        "early-response-then-close", "process-crash", "peer-restart-stale-connection", "half-close",
        "framing-coalesce", "listen-backlog-full", "accept-queue-reset", "linger-timeout", "keepalive-dead-peer",
        "zero-window-stall",
        "firewall-reject", "firewall-drop", "middlebox-idle-timeout", "injected-reset", "mtu-blackhole",
        "peer-unplugged", "ephemeral-port-exhaustion",
    ];

    private static readonly Lazy<IReadOnlyList<Scenario>> LazyAll = new(Discover);

    /// <summary>All scenarios.</summary>
    public static IReadOnlyList<Scenario> All => LazyAll.Value;

    /// <summary>The scenario with <paramref name="id"/> (case-insensitive), or null.</summary>
    public static Scenario? Find(string id)
    {
        foreach (var scenario in All)
        {
            if (string.Equals(scenario.Id, id, StringComparison.OrdinalIgnoreCase))
            {
                return scenario;
            }
        }

        return null;
    }

    private static List<Scenario> Discover()
    {
        var found = new List<Scenario>();
        foreach (var type in typeof(Scenario).Assembly.GetTypes())
        {
            if (type.IsSubclassOf(typeof(Scenario)) && !type.IsAbstract
                && type.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes) is { } constructor)
            {
                found.Add((Scenario)constructor.Invoke(null));
            }
        }

        found.Sort((a, b) => Rank(a).CompareTo(Rank(b)) is var byRank and not 0 ? byRank : string.CompareOrdinal(a.Id, b.Id));
        return found;

        static int Rank(Scenario scenario)
        {
            var index = Array.IndexOf(Order, scenario.Id);
            return index < 0 ? Order.Length + (scenario.Place == ScenarioPlace.Namespaces ? 1 : 0) : index;
        }
    }
}
