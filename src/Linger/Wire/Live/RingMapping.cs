using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Linger.Wire.Live;

/// <summary>
/// The PACKET_MMAP ring as mapped into this process: unmapped exactly once, even if the capture is never disposed.
/// Reads and writes go through spans over the mapping; bounds are checked against its length.
/// </summary>
internal sealed class RingMapping : SafeHandle
{
    private RingMapping(IntPtr address, nuint length)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
    }

    public nuint Length { get; }

    public override bool IsInvalid => handle == IntPtr.Zero || handle == new IntPtr(-1);

    /// <summary>Maps <paramref name="length"/> bytes of the socket's ring, shared with the kernel.</summary>
    public static RingMapping Map(IntPtr socket, nuint length)
    {
        var address = LinuxPacket.Mmap(IntPtr.Zero, length, LinuxPacket.ProtRead | LinuxPacket.ProtWrite, LinuxPacket.MapShared, checked((int)socket), 0);
        if (address == new IntPtr(-1))
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"mapping the {length / 1024} KiB capture ring failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        return new RingMapping(address, length);
    }

    /// <summary>A span over <paramref name="length"/> bytes at <paramref name="offset"/>.</summary>
    public Span<byte> Bytes(long offset, int length)
    {
        if (offset < 0 || length < 0 || (ulong)offset + (ulong)length > Length)
        {
            throw new InvalidOperationException($"capture ring access out of bounds: {length} bytes at {offset} of {Length}");
        }

        // The library is built without unsafe code; a ref at the mapped address gives the same span a pointer would.
        ref var start = ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), (nint)handle + (nint)offset);
        return MemoryMarshal.CreateSpan(ref start, length);
    }

    /// <summary>A 32-bit word the kernel writes concurrently (block status), read with acquire semantics.</summary>
    public uint ReadShared(long offset) => Volatile.Read(ref MemoryMarshal.AsRef<uint>(Bytes(offset, 4)));

    /// <summary>Writes a word the kernel reads concurrently, with release semantics: everything read before stays read.</summary>
    public void WriteShared(long offset, uint value) => Volatile.Write(ref MemoryMarshal.AsRef<uint>(Bytes(offset, 4)), value);

    protected override bool ReleaseHandle() => LinuxPacket.Munmap(handle, Length) == 0;
}
