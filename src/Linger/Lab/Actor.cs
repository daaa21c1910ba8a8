namespace Linger.Lab;

/// <summary>Who took a step in a scenario.</summary>
public enum Actor
{
    /// <summary>The side that connects.</summary>
    Client,

    /// <summary>The side that listens and accepts.</summary>
    Server,

    /// <summary>The path between them: links, firewall rules, a middlebox, a third party.</summary>
    Network,
}
