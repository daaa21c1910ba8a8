using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Linger.Wire.Filtering;

namespace Linger.Wire.Live;

/// <summary>
/// Captures TCP segments live on Linux, in managed code: an AF_PACKET socket, the filter compiled to classic BPF
/// and attached in the kernel, and a PACKET_MMAP TPACKET_V3 ring the kernel fills without a system call per packet.
/// Frames come out as LINUX_SLL2 (link type 276), which pcapng readers such as Wireshark decode.
/// </summary>
/// <remarks>
/// One thread reads; <see cref="Stop"/> and <see cref="Statistics"/> may be called from any thread. A frame is
/// valid until the next read or <see cref="Dispose"/>. Reads never block longer than asked: they wait in
/// slices of at most 50 ms and check for <see cref="Stop"/>, the options' cancellation token and duration between
/// slices.
/// </remarks>
public sealed class LiveCapture : IFrameSource
{
    private const int FrameSize = 2048;
    private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(50);

    private readonly Socket socket;
    private readonly PacketRing ring;
    private readonly CancellationToken cancellation;
    private readonly long endTimestamp;
    private readonly List<string> warnings = [];
    private readonly Lock statisticsLock = new();
    private long received;
    private long dropped;
    private volatile bool stopped;
    private volatile bool disposed;
    private int reading;

    private LiveCapture(string interfaceName, BpfProgram program, Socket socket, PacketRing ring, LiveCaptureOptions options)
    {
        InterfaceName = interfaceName;
        Program = program;
        this.socket = socket;
        this.ring = ring;
        cancellation = options.CancellationToken;
        endTimestamp = options.Duration is { } duration
            ? Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency)
            : long.MaxValue;
    }

    /// <summary>The interface being captured on, or <c>any</c>.</summary>
    public string InterfaceName { get; }

    /// <summary>The filter program running in the kernel.</summary>
    public BpfProgram Program { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => warnings;

    /// <summary>The names <see cref="LiveCaptureOptions.Interface"/> accepts: <c>any</c>, then the machine's interfaces.</summary>
    public static IReadOnlyList<string> InterfaceNames() => ["any", .. NetworkInterfaces.Names()];

    /// <summary>The kernel's counters so far: packets that passed the filter, and those dropped because the ring was full.</summary>
    public CaptureStatistics Statistics
    {
        get
        {
            lock (statisticsLock)
            {
                if (!disposed)
                {
                    AddKernelCounters();
                }

                return new CaptureStatistics(received, dropped);
            }
        }
    }

    /// <summary>Opens a capture. Packets are queued in the kernel from the moment this returns.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    /// <exception cref="FilterSyntaxException">The filter is not valid; the message names the column.</exception>
    /// <exception cref="CaptureInterfaceException">No such interface; the message lists those that exist.</exception>
    /// <exception cref="CapturePermissionException">Neither root nor CAP_NET_RAW.</exception>
    /// <exception cref="IOException">The kernel refused the ring or the filter; the message says which and why.</exception>
    public static LiveCapture Open(LiveCaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                "live capture uses Linux AF_PACKET sockets and works only on Linux; on this system capture with "
                + "Wireshark, tcpdump or pktmon and run `linger analyze` on the file");
        }

        Validate(options);
        var filter = FilterExpression.Parse(options.Filter);
        var isAny = options.Interface == "any";
        var interfaceIndex = isAny ? 0 : NetworkInterfaces.IndexOf(options.Interface)
            ?? throw new CaptureInterfaceException(options.Interface, ["any", .. NetworkInterfaces.Names()]);

        // Loopback shows each packet twice (leaving and arriving); the kernel drops the outgoing copy for us.
        var loopback = isAny ? NetworkInterfaces.LoopbackIndex()
            : NetworkInterfaces.IsLoopback(options.Interface) ? interfaceIndex : 0;
        var program = BpfCompiler.Compile(filter, BpfTarget.PacketSocket with
        {
            SnapLength = options.SnapLength,
            DropOutgoingOnInterface = loopback,
        });

        var (blockSize, blockCount) = RingGeometry(options);
        var socket = CreateSocket();
        RingMapping? mapping = null;
        try
        {
            // Protocol 0 at creation: nothing is queued until bind, by which time the filter is attached, so no
            // unfiltered packet can slip in first (no drop-all-then-drain dance needed).
            SetInt(socket, LinuxPacket.SolPacket, LinuxPacket.PacketVersion, LinuxPacket.TpacketV3, "select TPACKET_V3");
            AttachFilter(socket, program);
            RequestRing(socket, blockSize, blockCount, options.BlockTimeout);
            mapping = RingMapping.Map(socket.Handle, (nuint)blockSize * (nuint)blockCount);

            var capture = new LiveCapture(options.Interface, program, socket, new PacketRing(mapping, blockSize, blockCount, options.SnapLength), options);
            if (options.Promiscuous)
            {
                if (isAny)
                {
                    capture.warnings.Add("promiscuous mode is not available on 'any'; capturing without it");
                }
                else
                {
                    EnterPromiscuousMode(socket, interfaceIndex);
                }
            }

            Bind(socket, options.Interface, interfaceIndex);
            return capture;
        }
        catch
        {
            mapping?.Dispose();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the next frame, waiting for one as long as needed: returns false only when the capture has ended
    /// (<see cref="Stop"/>, cancellation, or <see cref="LiveCaptureOptions.Duration"/>). With none of these set, only
    /// <see cref="Stop"/> from another thread ends the wait.
    /// </summary>
    public bool TryReadFrame(out Frame frame) => ReadFrame(out frame, Timeout.InfiniteTimeSpan) == LiveReadResult.Frame;

    /// <summary>
    /// Reads the next frame, waiting at most <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>:
    /// until the capture ends). For <c>--count</c>, read until enough frames; for periodic work while traffic is
    /// quiet, use a short timeout and act on <see cref="LiveReadResult.TimedOut"/>.
    /// </summary>
    public LiveReadResult ReadFrame(out Frame frame, TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref reading, 1) != 0)
        {
            throw new InvalidOperationException("LiveCapture has one reader; another read is in progress");
        }

        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return Read(out frame, timeout);
        }
        finally
        {
            Volatile.Write(ref reading, 0);
        }
    }

    /// <summary>Ends the capture: the current or next read returns <see cref="LiveReadResult.Ended"/> within about 50 ms.</summary>
    public void Stop() => stopped = true;

    /// <summary>
    /// Ends the capture, waits (up to a second) for a read in progress on another thread to return, then closes the
    /// socket and unmaps the ring. Frames read earlier become invalid.
    /// </summary>
    public void Dispose()
    {
        lock (statisticsLock)
        {
            if (disposed)
            {
                return;
            }

            stopped = true;
            AddKernelCounters();
            disposed = true;
        }

        // The ring must stay mapped while a reader may touch it; a read notices the stop within one wait slice.
        var clock = Stopwatch.StartNew();
        while (Volatile.Read(ref reading) != 0 && clock.Elapsed < TimeSpan.FromSeconds(1))
        {
            Thread.Sleep(5);
        }

        socket.Dispose();
        ring.Dispose();
    }

    private LiveReadResult Read(out Frame frame, TimeSpan timeout)
    {
        var readDeadline = timeout == Timeout.InfiniteTimeSpan
            ? long.MaxValue
            : Stopwatch.GetTimestamp() + (long)(Math.Max(0, timeout.TotalSeconds) * Stopwatch.Frequency);

        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (stopped || cancellation.IsCancellationRequested || now >= endTimestamp)
            {
                frame = default;
                return LiveReadResult.Ended;
            }

            if (ring.TryNext(out frame))
            {
                return LiveReadResult.Frame;
            }

            var deadline = Math.Min(readDeadline, endTimestamp);
            if (now >= readDeadline)
            {
                return LiveReadResult.TimedOut;
            }

            var wait = Math.Min(deadline - now, (long)(WaitSlice.TotalSeconds * Stopwatch.Frequency));
            var microseconds = (int)Math.Max(1, wait * 1_000_000 / Stopwatch.Frequency);
            if (socket.Poll(microseconds, SelectMode.SelectRead))
            {
                if (ring.TryNext(out frame))
                {
                    return LiveReadResult.Frame;
                }

                // Readable without a block to read: an error is pending on the socket, or a wake-up we cannot use.
                ThrowIfSocketFailed();
                Thread.Sleep(1);
            }
        }
    }

    private static void Validate(LiveCaptureOptions options)
    {
        if (options.SnapLength is < 64 or > 262144)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SnapLength, "the snap length must be from 64 to 262144 bytes");
        }

        if (options.RingSize is < 64 * 1024 or > 1024 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RingSize, "the ring size must be from 64 KiB to 1 GiB");
        }

        if (options.BlockTimeout < TimeSpan.FromMilliseconds(1) || options.BlockTimeout > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BlockTimeout, "the block timeout must be from 1 ms to 10 s");
        }

        if (options.Duration is { } duration && duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), duration, "the duration must be positive");
        }
    }

    /// <summary>Blocks are powers of two (the kernel allocates them as page runs) large enough for one full packet.</summary>
    private static (int BlockSize, int BlockCount) RingGeometry(LiveCaptureOptions options)
    {
        var needed = options.SnapLength + 256;
        var blockSize = (int)Math.Max(Environment.SystemPageSize, Math.Max(128 * 1024, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)needed)));
        var blockCount = Math.Max(2, options.RingSize / blockSize);
        return (blockSize, blockCount);
    }

    private static Socket CreateSocket()
    {
        try
        {
            return new Socket(AddressFamily.Packet, SocketType.Dgram, ProtocolType.Unspecified);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied || e.NativeErrorCode is 1 or 13)
        {
            throw new CapturePermissionException(e);
        }
    }

    private static void SetInt(Socket socket, int level, int name, int value, string what)
    {
        Span<byte> bytes = stackalloc byte[4];
        MemoryMarshal.Write(bytes, in value);
        SetOption(socket, level, name, bytes, what);
    }

    private static void SetOption(Socket socket, int level, int name, ReadOnlySpan<byte> value, string what)
    {
        try
        {
            socket.SetRawSocketOption(level, name, value);
        }
        catch (SocketException e)
        {
            throw new IOException($"the kernel refused to {what}: {e.Message} (errno {e.NativeErrorCode})", e);
        }
    }

    private static void AttachFilter(Socket socket, BpfProgram program)
    {
        var instructions = program.Instructions.ToArray();
        var pinned = GCHandle.Alloc(instructions, GCHandleType.Pinned);
        try
        {
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }: the pointer is pointer-aligned.
            Span<byte> fprog = stackalloc byte[2 * IntPtr.Size];
            fprog.Clear();
            var length = (ushort)instructions.Length;
            MemoryMarshal.Write(fprog, in length);
            var address = pinned.AddrOfPinnedObject();
            MemoryMarshal.Write(fprog[IntPtr.Size..], in address);
            SetOption(socket, LinuxPacket.SolSocket, LinuxPacket.SoAttachFilter, fprog, $"attach the {instructions.Length}-instruction filter");
        }
        finally
        {
            pinned.Free();
        }
    }

    private static void RequestRing(Socket socket, int blockSize, int blockCount, TimeSpan blockTimeout)
    {
        // struct tpacket_req3: block size, block count, frame size, frame count, retire timeout (ms), private size, features.
        Span<uint> request =
        [
            (uint)blockSize,
            (uint)blockCount,
            FrameSize,
            (uint)(blockSize / FrameSize * blockCount),
            (uint)Math.Max(1, blockTimeout.TotalMilliseconds),
            0,
            0,
        ];
        SetOption(
            socket,
            LinuxPacket.SolPacket,
            LinuxPacket.PacketRxRing,
            MemoryMarshal.AsBytes(request),
            $"set up a {(long)blockSize * blockCount / 1024} KiB receive ring ({blockCount} blocks of {blockSize / 1024} KiB); a smaller ring size may fit");
    }

    private static void EnterPromiscuousMode(Socket socket, int interfaceIndex)
    {
        // struct packet_mreq { int mr_ifindex; unsigned short mr_type; unsigned short mr_alen; unsigned char mr_address[8]; }
        Span<byte> request = stackalloc byte[16];
        request.Clear();
        MemoryMarshal.Write(request, in interfaceIndex);
        var type = (ushort)LinuxPacket.PacketMrPromisc;
        MemoryMarshal.Write(request[4..], in type);
        SetOption(socket, LinuxPacket.SolPacket, LinuxPacket.PacketAddMembership, request, "enter promiscuous mode");
    }

    private static void Bind(Socket socket, string interfaceName, int interfaceIndex)
    {
        try
        {
            socket.Bind(new PacketEndPoint(interfaceIndex, LinuxPacket.EthPAll));
        }
        catch (SocketException e) when (e.NativeErrorCode == 19)
        {
            // ENODEV: the interface disappeared between the lookup and the bind.
            throw new CaptureInterfaceException(interfaceName, ["any", .. NetworkInterfaces.Names()]);
        }
        catch (SocketException e)
        {
            throw new IOException($"binding the capture socket to '{interfaceName}' failed: {e.Message} (errno {e.NativeErrorCode})", e);
        }
    }

    private void ThrowIfSocketFailed()
    {
        // Readable with no block ready means an error is pending on the socket (ENETDOWN when the interface goes down).
        Span<byte> value = stackalloc byte[4];
        socket.GetRawSocketOption(LinuxPacket.SolSocket, LinuxPacket.SoError, value);
        var errno = MemoryMarshal.Read<int>(value);
        if (errno != 0)
        {
            throw new IOException(
                $"capture on '{InterfaceName}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})"
                + (errno == 100 ? $"; bring the interface up (`ip link set {InterfaceName} up`) and capture again" : string.Empty));
        }
    }

    private void AddKernelCounters()
    {
        // struct tpacket_stats_v3 { unsigned int tp_packets, tp_drops, tp_freeze_q_cnt; }. Reading resets the kernel's
        // counters, so they are totalled here; tp_packets already includes the drops.
        Span<byte> stats = stackalloc byte[12];
        socket.GetRawSocketOption(LinuxPacket.SolPacket, LinuxPacket.PacketStatistics, stats);
        received += BinaryPrimitives.ReadUInt32LittleEndian(stats);
        dropped += BinaryPrimitives.ReadUInt32LittleEndian(stats[4..]);
    }
}
