using System.Runtime.InteropServices;

namespace Linger.Tests.WireLive;

/// <summary>
/// Linux capabilities of the calling thread. The kernel keeps capability sets per thread (glibc does not spread
/// capset to other threads), so a test can take CAP_NET_RAW away from one thread of the test process and see what
/// an unprivileged user would, without a child process.
/// </summary>
internal static unsafe partial class ThreadCapabilities
{
    public const int NetRaw = 13;
    private const uint Version3 = 0x20080522;

    /// <summary>Removes <paramref name="capability"/> from this thread's effective set; returns the previous sets to restore.</summary>
    public static (uint Effective0, uint Effective1) DropEffective(int capability)
    {
        var header = new Header { Version = Version3, Pid = 0 };
        var data = stackalloc Data[2];
        Check(CapGet(&header, data), "capget");
        var previous = (data[0].Effective, data[1].Effective);
        data[capability / 32].Effective &= ~(1u << (capability % 32));
        Check(CapSet(&header, data), "capset");
        return previous;
    }

    /// <summary>Puts back the effective sets returned by <see cref="DropEffective"/>.</summary>
    public static void RestoreEffective((uint Effective0, uint Effective1) previous)
    {
        var header = new Header { Version = Version3, Pid = 0 };
        var data = stackalloc Data[2];
        Check(CapGet(&header, data), "capget");
        data[0].Effective = previous.Effective0;
        data[1].Effective = previous.Effective1;
        Check(CapSet(&header, data), "capset");
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"{call} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "capget", SetLastError = true)]
    private static partial int CapGet(Header* header, Data* data);

    [LibraryImport("libc", EntryPoint = "capset", SetLastError = true)]
    private static partial int CapSet(Header* header, Data* data);

    [StructLayout(LayoutKind.Sequential)]
    private struct Header
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Data
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }
}
