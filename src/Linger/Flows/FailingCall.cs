namespace Linger.Flows;

/// <summary>The socket call through which an application learns of a failure.</summary>
public enum FailingCall
{
    /// <summary>The connect call fails.</summary>
    Connect,

    /// <summary>A send (write) fails; a receive may return end of stream first.</summary>
    Send,

    /// <summary>Whichever of send or receive the application makes next fails.</summary>
    SendOrReceive,
}
