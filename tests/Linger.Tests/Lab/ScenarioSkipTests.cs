using Linger.Lab;
using Linger.Tests.Support;

namespace Linger.Tests.Lab;

/// <summary>A scenario the machine refuses is reported as skipped with its reason, keeping the steps it made.</summary>
public sealed class ScenarioSkipTests
{
    [LinuxFact]
    public async Task A_scenario_that_skips_itself_is_reported_skipped_with_its_reason_and_its_steps()
    {
        var result = await new LabRunner(new LabEnvironment { CapturePackets = false }).RunAsync(new RefusedByTheMachine());

        Assert.Equal(ScenarioStatus.Skipped, result.Status);
        Assert.Equal("the kernel said no; run as root", result.SkipReason);
        Assert.Empty(result.Failures);
        Assert.Null(result.Agrees);
        Assert.Equal("listen", Assert.Single(result.Steps).Action[..6]);
    }

    private sealed class RefusedByTheMachine : Scenario
    {
        public override string Id => "refused-by-the-machine";

        public override string Title => "A scenario the machine refuses";

        public override string Description => "Listens, then finds it cannot go on here.";

        public override Expectation? Expected => null;

        public override Task RunAsync(ScenarioContext context)
        {
            context.Listen();
            ScenarioContext.Skip("the kernel said no; run as root");
            return Task.CompletedTask;
        }
    }
}
