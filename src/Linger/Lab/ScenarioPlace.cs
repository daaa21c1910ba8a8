namespace Linger.Lab;

/// <summary>Where a scenario runs.</summary>
public enum ScenarioPlace
{
    /// <summary>On this machine's loopback interface: runs without privileges; packets are captured when root.</summary>
    Loopback,

    /// <summary>In network namespaces the lab creates and removes (client, router, server): Linux and root only.</summary>
    Namespaces,
}
