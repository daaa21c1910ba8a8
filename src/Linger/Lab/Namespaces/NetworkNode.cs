namespace Linger.Lab.Namespaces;

/// <summary>One of the three network namespaces of the lab's topology: client &lt;-&gt; router &lt;-&gt; server.</summary>
internal enum NetworkNode
{
    /// <summary>Where the client's sockets live and where packets are captured.</summary>
    Client,

    /// <summary>The hop between them: it forwards, and holds the firewall, the middlebox and the third party.</summary>
    Router,

    /// <summary>Where the server's sockets live.</summary>
    Server,
}
