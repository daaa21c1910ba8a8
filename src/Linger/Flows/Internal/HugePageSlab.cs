using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Linger.Flows.Internal;

/// <summary>
/// Numbered slots of an unmanaged struct in native memory, in chunks that never move and, on Linux, on transparent
/// huge pages (2 MiB). The conversation table is hundreds of megabytes touched at random, one conversation per packet:
/// with 4 KiB pages nearly every touch misses the TLB and walks the page tables, and the first touch of every page is
/// a fault; with 2 MiB pages both are rare.
/// </summary>
/// <remarks>
/// Slots start zeroed (fresh anonymous memory). Pages are only backed when first touched, so a small capture costs
/// little however large a chunk is. The memory goes back when the slab is collected (its finalizer): the slab lives
/// as long as its tracker, which has no end of its own.
/// </remarks>
/// <typeparam name="T">A struct without references.</typeparam>
internal sealed unsafe class HugePageSlab<T>
    where T : unmanaged
{
    private const nuint HugePage = 2 << 20;

    private readonly int _chunkShift;
    private readonly int _chunkMask;
    private readonly nuint _chunkBytes;
    private nint[] _chunks = new nint[16];
    private int _chunkCount;

    /// <param name="chunkShift">Slots per chunk, as a power of two.</param>
    public HugePageSlab(int chunkShift)
    {
        _chunkShift = chunkShift;
        _chunkMask = (1 << chunkShift) - 1;
        _chunkBytes = (((nuint)sizeof(T) << chunkShift) + HugePage - 1) & ~(HugePage - 1);
    }

    ~HugePageSlab()
    {
        for (var i = 0; i < _chunkCount; i++)
        {
            Release((void*)_chunks[i], _chunkBytes);
        }
    }

    /// <summary>Slots that exist (whole chunks).</summary>
    public int Capacity => _chunkCount << _chunkShift;

    public ref T this[int slot]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref ((T*)_chunks[slot >> _chunkShift])[slot & _chunkMask];
    }

    /// <summary>Adds a chunk of zeroed slots.</summary>
    public void Grow()
    {
        if (_chunkCount == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunks.Length * 2);
        }

        _chunks[_chunkCount++] = (nint)Reserve(_chunkBytes);
        GC.AddMemoryPressure((long)_chunkBytes);
    }

    private static void* Reserve(nuint bytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            return NativeMemory.AllocZeroed(bytes);
        }

        // Map a huge page more than needed and keep the 2 MiB-aligned middle, so every page of the chunk can be huge.
        var mapped = (byte*)Mmap.Map(0, bytes + HugePage, Mmap.ReadWrite, Mmap.PrivateAnonymous, -1, 0);
        if (mapped == (byte*)-1)
        {
            throw new InsufficientMemoryException($"could not map {bytes} bytes for the conversation table (errno {Marshal.GetLastPInvokeError()}).");
        }

        var start = (byte*)(((nuint)mapped + HugePage - 1) & ~(HugePage - 1));
        if (start > mapped)
        {
            _ = Mmap.Unmap((nint)mapped, (nuint)(start - mapped));
        }

        _ = Mmap.Unmap((nint)(start + bytes), HugePage - (nuint)(start - mapped));
        _ = Mmap.Advise((nint)start, bytes, Mmap.HugePageAdvice); // only advice: refused, the pages are small
        return start;
    }

    private static void Release(void* chunk, nuint bytes)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Mmap.Unmap((nint)chunk, bytes);
        }
        else
        {
            NativeMemory.Free(chunk);
        }
    }
}
