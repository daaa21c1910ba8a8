using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Linger.Lab.Namespaces;

/// <summary>
/// A thread that lives in one network namespace: it enters it with setns(2) once, then runs the calls it is given.
/// A socket created here belongs to the namespace for its whole life, whichever thread uses it afterwards, so only the
/// creation has to happen on this thread. The thread's procfs view (<see cref="ProcNetDirectory"/>) shows the
/// namespace's TCP table to any reader.
/// </summary>
internal sealed class NamespaceThread : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly BlockingCollection<Action> _work = new(boundedCapacity: 64);
    private readonly Thread _thread;
    private readonly string _path;
    private readonly object _started = new();
    private bool _ready;
    private Exception? _startFailure;

    /// <summary>Starts the thread and waits until it has entered the namespace mounted at /run/netns/<paramref name="namespaceName"/>.</summary>
    public NamespaceThread(string namespaceName)
    {
        NamespaceName = namespaceName;
        _path = Path.Combine("/run/netns", namespaceName);
        _thread = new Thread(Run) { IsBackground = true, Name = $"netns {namespaceName}" };
        _thread.Start();
        lock (_started)
        {
            var deadline = DateTime.UtcNow + CallTimeout;
            while (!_ready && DateTime.UtcNow < deadline)
            {
                Monitor.Wait(_started, CallTimeout);
            }
        }

        if (!_ready)
        {
            _work.CompleteAdding();
            throw new TimeoutException($"the thread for network namespace {namespaceName} did not start within {CallTimeout.TotalSeconds:0} s");
        }

        if (_startFailure is not null)
        {
            _work.CompleteAdding();
            throw new InvalidOperationException($"cannot enter network namespace {namespaceName} ({_path}): {_startFailure.Message}", _startFailure);
        }
    }

    /// <summary>The namespace's name (under /run/netns).</summary>
    public string NamespaceName { get; }

    /// <summary>The kernel's id of the thread (its /proc/self/task entry).</summary>
    public int ThreadId { get; private set; }

    /// <summary>The namespace's procfs net directory as this thread sees it: readable from any thread of the process.</summary>
    public string ProcNetDirectory => $"/proc/self/task/{ThreadId}/net";

    /// <summary>Runs <paramref name="call"/> inside the namespace and returns its result (or throws its exception).</summary>
    public T Invoke<T>(Func<T> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var gate = new object();
        var done = false;
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var queued = _work.TryAdd(() =>
        {
            try
            {
                result = call();
            }
#pragma warning disable CA1031 // The failure is handed to the caller, on the caller's thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }

            lock (gate)
            {
                done = true;
                Monitor.PulseAll(gate);
            }
        }, CallTimeout);
        if (!queued)
        {
            throw new TimeoutException($"the thread for network namespace {NamespaceName} is not taking calls");
        }

        lock (gate)
        {
            var deadline = DateTime.UtcNow + CallTimeout;
            while (!done && DateTime.UtcNow < deadline)
            {
                Monitor.Wait(gate, CallTimeout);
            }

            if (!done)
            {
                throw new TimeoutException($"a call in network namespace {NamespaceName} did not return within {CallTimeout.TotalSeconds:0} s");
            }
        }

        failure?.Throw();
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_work.IsAddingCompleted)
        {
            _work.CompleteAdding();
        }

        // A call that never returns keeps the thread (a background thread: it ends with the process) and its queue.
        if (_thread.Join(CallTimeout))
        {
            _work.Dispose();
        }
    }

    private void Run()
    {
        try
        {
            using var handle = File.OpenHandle(_path, FileMode.Open, FileAccess.Read);
            if (NamespaceNative.SetNamespace(handle.DangerousGetHandle(), NamespaceNative.CloneNewNet) != 0)
            {
                throw new IOException($"setns failed: {Marshal.GetLastPInvokeErrorMessage()}");
            }

            ThreadId = NamespaceNative.GetThreadId();
        }
#pragma warning disable CA1031 // The constructor reports the failure to its caller.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _startFailure = e;
        }

        lock (_started)
        {
            _ready = true;
            Monitor.PulseAll(_started);
        }

        if (_startFailure is not null)
        {
            return;
        }

        foreach (var call in _work.GetConsumingEnumerable())
        {
            call();
        }
    }
}
