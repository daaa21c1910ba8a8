using System.Runtime.InteropServices;

namespace Linger.Lab.Internal;

/// <summary>
/// Runs a blocking call on a thread of its own with every blockable signal blocked (pthread_sigmask(3)), so that
/// no signal cuts the call's wait short. Linux's close(2) with SO_LINGER waits in the kernel for the unsent data,
/// and a signal delivered to the waiting thread (the .NET runtime's own, for a collection, or SIGCHLD once a child
/// process was started) ends the wait at once: close returns early, as if the linger time had run out.
/// </summary>
internal static class SignalsBlocked
{
    private const int Block = 0; // SIG_BLOCK
    private const int SetMask = 2; // SIG_SETMASK
    private const int SetBytes = 128; // sizeof(sigset_t) in glibc and musl

    /// <summary>Runs <paramref name="call"/> on a new thread with signals blocked; completes when it returns.</summary>
    public static Task RunAsync(Action call, string name)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            var all = new byte[SetBytes];
            var before = new byte[SetBytes];
            var blocked = OperatingSystem.IsLinux() && FillSet(all) == 0 && SetThreadMask(Block, all, before) == 0;
            try
            {
                call();
                done.SetResult();
            }
#pragma warning disable CA1031 // Handed to the awaiting caller.
            catch (Exception e)
#pragma warning restore CA1031
            {
                done.SetException(e);
            }
            finally
            {
                if (blocked)
                {
                    _ = SetThreadMask(SetMask, before, null);
                }
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }

    [DllImport("libc", EntryPoint = "sigfillset")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FillSet(byte[] set);

    [DllImport("libc", EntryPoint = "pthread_sigmask")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetThreadMask(int how, byte[] set, byte[]? oldSet);
}
