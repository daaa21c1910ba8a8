using System.Runtime.InteropServices;

namespace Linger.Tests.Support;

/// <summary>The running C library, asked directly: what errno numbers are called and what strerror says.</summary>
internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "strerrorname_np")]
    private static partial IntPtr StrErrorNameNative(int errnum);

    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial IntPtr StrErrorNative(int errnum);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "tgkill", SetLastError = true)]
    private static partial int ThreadKillNative(int tgid, int tid, int signal);

    /// <summary>Sends <paramref name="signal"/> to one thread <paramref name="tid"/> of process <paramref name="pid"/>; 0 on success.</summary>
    public static int ThreadKill(int pid, int tid, int signal) => ThreadKillNative(pid, tid, signal);

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/> (2 SIGINT, 15 SIGTERM); 0 on success.</summary>
    public static int Kill(int pid, int signal) => KillNative(pid, signal);

    /// <summary>The symbolic name of an errno value (glibc 2.32+), or null when libc does not know it.</summary>
    public static string? ErrnoName(int errnum) => Marshal.PtrToStringUTF8(StrErrorNameNative(errnum));

    /// <summary>The C-locale message for an errno value.</summary>
    public static string StrError(int errnum) => Marshal.PtrToStringUTF8(StrErrorNative(errnum)) ?? string.Empty;
}
