using System.Runtime.InteropServices;

namespace Linger.Flows.Internal;

/// <summary>The Linux memory-mapping calls <see cref="HugePageSlab{T}"/> needs (mmap(2), munmap(2), madvise(2)).</summary>
internal static partial class Mmap
{
    public const int ReadWrite = 0x1 | 0x2; // PROT_READ | PROT_WRITE
    public const int PrivateAnonymous = 0x02 | 0x20; // MAP_PRIVATE | MAP_ANONYMOUS
    public const int HugePageAdvice = 14; // MADV_HUGEPAGE

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Map(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    public static partial int Unmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise")]
    public static partial int Advise(nint address, nuint length, int advice);
}
