namespace Linger.Flows.Internal;

/// <summary>A slot's place in one of the tracker's lists (-1 at the ends) and the capture time it was put there.</summary>
internal struct SlotLink
{
    public int Prev;
    public int Next;
    public long TimeNs;
}
