using System.Runtime.InteropServices;

namespace Linger.Lab.Namespaces;

/// <summary>The libc calls .NET does not offer for entering a network namespace (linux/sched.h, unistd.h).</summary>
internal static class NamespaceNative
{
    /// <summary>CLONE_NEWNET: the namespace type setns(2) checks the file descriptor against.</summary>
    public const int CloneNewNet = 0x40000000;

    [DllImport("libc", SetLastError = true, EntryPoint = "setns")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int SetNamespace(IntPtr fd, int namespaceType);

    [DllImport("libc", EntryPoint = "gettid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int GetThreadId();
}
