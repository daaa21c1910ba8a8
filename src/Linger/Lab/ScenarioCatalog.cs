namespace Linger.Lab;

/// <summary>Every scenario, in the order the catalogue presents them (the simple and common first).</summary>
public static class ScenarioCatalog
{
    // The catalogue, in its order. Listed by hand rather than found by reflection, so that the ahead-of-time compiled
    // build (which keeps only the code it can see used) holds every scenario; a test checks that none is missing.
    private static readonly Lazy<IReadOnlyList<Scenario>> LazyAll = new(() =>
    [
        new Scenarios.Refused(), new Scenarios.GracefulClose(), new Scenarios.AbortiveClose(), new Scenarios.CloseWithUnreadData(),
        new Scenarios.WriteAfterPeerClose(), new Scenarios.EarlyResponseThenClose(), new Scenarios.ProcessCrash(),
        new Scenarios.PeerRestartStaleConnection(), new Scenarios.HalfClose(), new Scenarios.FramingCoalesce(),
        new Scenarios.ListenBacklogFull(), new Scenarios.AcceptQueueReset(), new Scenarios.LingerTimeout(),
        new Scenarios.KeepAliveDeadPeer(), new Scenarios.ZeroWindowStall(),
        new Scenarios.FirewallReject(), new Scenarios.FirewallDrop(), new Scenarios.MiddleboxIdleTimeout(),
        new Scenarios.InjectedReset(), new Scenarios.MtuBlackhole(), new Scenarios.PeerUnplugged(),
        new Scenarios.EphemeralPortExhaustion(),
    ]);

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
}
