namespace Linger.Lab;

/// <summary>One call a side made (or one thing done to the network), what it returned, and both sides' TCP state right after.</summary>
/// <param name="TimeMs">Milliseconds since the scenario started, when the call returned.</param>
/// <param name="Actor">Who made the call.</param>
/// <param name="Action">The call in words: <c>send 1 byte</c>, <c>close with SO_LINGER {1,0}</c>.</param>
/// <param name="Result">What it returned.</param>
/// <param name="ClientState">The client's TCP state for the watched connection, right after the call.</param>
/// <param name="ServerState">The server's TCP state for the watched connection, right after the call.</param>
public sealed record ScenarioStep(double TimeMs, Actor Actor, string Action, StepResult Result, TcpSocketState ClientState, TcpSocketState ServerState);
