using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// The reset evidence of the conversations that have a RST, apart from their slots: only a minority of
/// conversations needs the 96 bytes, and a busy capture holds a hundred thousand conversations at once. Records are
/// numbered from 1 (0 means none) and reused once released.
/// </summary>
internal sealed class ResetEvidenceStore
{
    private ResetEvidence[] _records = new ResetEvidence[256];
    private int[] _free = new int[256];
    private int _freeCount;
    private int _used;

    /// <summary>A record; the reference is good until the next <see cref="Add"/>, which may move the records.</summary>
    public ref ResetEvidence this[int id] => ref _records[id - 1];

    /// <summary>Stores a new record; returns its id.</summary>
    [MethodImpl(Compile.Hot)]
    public int Add(in ResetEvidence evidence)
    {
        int index;
        if (_freeCount > 0)
        {
            index = _free[--_freeCount];
        }
        else
        {
            if (_used == _records.Length)
            {
                Array.Resize(ref _records, _records.Length * 2);
            }

            index = _used++;
        }

        _records[index] = evidence;
        return index + 1;
    }

    [MethodImpl(Compile.Hot)]
    public void Release(int id)
    {
        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, _free.Length * 2);
        }

        _free[_freeCount++] = id - 1;
    }

    public void Clear()
    {
        _freeCount = 0;
        _used = 0;
    }
}
