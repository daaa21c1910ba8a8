namespace Linger.Wire.Live;

/// <summary>The interface to capture on does not exist; the message lists those that do.</summary>
public sealed class CaptureInterfaceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CaptureInterfaceException(string requested, IReadOnlyList<string> available)
        : base($"there is no network interface named '{requested}'; available: {string.Join(", ", available)} "
            + "(`ip link` lists them; 'any' captures on all)")
    {
        Requested = requested;
        Available = available;
    }

    /// <summary>Creates the exception.</summary>
    public CaptureInterfaceException()
        : this(string.Empty, [])
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaptureInterfaceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaptureInterfaceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The name that was asked for.</summary>
    public string Requested { get; } = string.Empty;

    /// <summary>The interfaces that exist, "any" first.</summary>
    public IReadOnlyList<string> Available { get; } = [];
}
