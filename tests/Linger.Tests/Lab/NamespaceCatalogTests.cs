using Linger.Flows;
using Linger.Lab;
using Linger.Tests.Support;
using Linger.Wire;

namespace Linger.Tests.Lab;

/// <summary>What the namespace scenarios promise before they run: where they run, and what happens without root.</summary>
public sealed class NamespaceCatalogTests
{
    private static readonly string[] NamespaceIds =
    [
        "firewall-reject", "firewall-drop", "middlebox-idle-timeout", "injected-reset", "mtu-blackhole",
        "peer-unplugged", "ephemeral-port-exhaustion",
    ];

    [Fact]
    public void Every_namespace_scenario_of_the_issue_is_in_the_catalogue_and_runs_in_namespaces()
    {
        foreach (var id in NamespaceIds)
        {
            var scenario = ScenarioCatalog.Find(id);
            Assert.NotNull(scenario);
            Assert.Equal(ScenarioPlace.Namespaces, scenario.Place);
        }
    }

    [LinuxFact]
    public async Task Without_root_each_namespace_scenario_is_skipped_with_the_reason()
    {
        var runner = new LabRunner(new LabEnvironment { IsRoot = false, CapturePackets = false });

        var results = await runner.RunAsync(NamespaceIds.Select(id => ScenarioCatalog.Find(id)!));

        Assert.All(results, r =>
        {
            Assert.Equal(ScenarioStatus.Skipped, r.Status);
            Assert.Contains("root", r.SkipReason, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void An_expectation_of_injection_is_not_met_by_a_reset_the_analyser_trusts()
    {
        var expectation = new Expectation(Verdict.Reset, Side.Server) { SuspectedInjection = true };
        var summary = ServerReset();

        Assert.False(expectation.IsMetBy(summary));
        Assert.True(expectation.IsMetBy(summary with { SuspectedInjection = true }));
    }

    [Fact]
    public void By_default_a_scenario_fails_when_the_analyser_suspects_a_real_kernels_RST()
    {
        var expectation = new Expectation(Verdict.Reset, Side.Server);
        var summary = ServerReset();

        Assert.True(expectation.IsMetBy(summary));
        Assert.False(expectation.IsMetBy(summary with { SuspectedInjection = true }));
    }

    /// <summary>A conversation the server reset, as the analyser sums it up.</summary>
    private static ConversationSummary ServerReset() => new()
    {
        Client = new Endpoint(IpAddress.FromV4(0x0a000001), 40000),
        Server = new Endpoint(IpAddress.FromV4(0x0a000002), 80),
        Verdict = Verdict.Reset,
        ResetBy = Side.Server,
    };
}
