using System.Diagnostics;

namespace Linger.Lab;

/// <summary>What the machine and the caller allow: privileges, packet capture, and how to start helper processes.</summary>
public sealed record LabEnvironment
{
    /// <summary>True on Linux (the lab reads TCP states from procfs and captures with AF_PACKET).</summary>
    public bool IsLinux { get; init; } = OperatingSystem.IsLinux();

    /// <summary>True when running as root (capture and network namespaces need it).</summary>
    public bool IsRoot { get; init; } = OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess;

    /// <summary>Capture each scenario's packets and check the analyser's verdict. Default: when root on Linux.</summary>
    public bool CapturePackets { get; init; } = OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess;

    /// <summary>
    /// Where capture files go: each scenario's <c>ID.pcapng</c> is kept here. Null: a temporary folder, removed
    /// when the run ends.
    /// </summary>
    public string? CaptureDirectory { get; init; }

    /// <summary>
    /// How to start this program's lab agent (a separate process playing one side, for scenarios where a process
    /// crashes or restarts): the command and fixed arguments; the scenario appends its own. Null: such scenarios
    /// are skipped.
    /// </summary>
    public Func<ProcessStartInfo>? AgentStart { get; init; }
}
