namespace Linger.Flows.Internal;

/// <summary>A slot's place in one of the tracker's lists: the slots before and after it, -1 at the ends.</summary>
internal struct SlotLink
{
    public int Prev;
    public int Next;
}
