using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace Linger.Lab;

/// <summary>
/// Reads the kernel's TCP table from procfs. Each address is the kernel's in-memory bytes printed as 32-bit hex words
/// in host order, the port in plain hex; the state is the kernel's TCP state number (include/net/tcp_states.h).
/// </summary>
internal static class ProcNetTcp
{
    private static readonly string[] StateNames =
    [
        "UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT",
        "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE",
    ];

    /// <summary>Reads <paramref name="directory"/>/tcp and tcp6 (<c>/proc/self/net</c>, <c>/proc/thread-self/net</c>, <c>/proc/PID/net</c>).</summary>
    public static List<TcpTableEntry> Read(string directory = "/proc/thread-self/net")
    {
        var entries = new List<TcpTableEntry>();
        foreach (var file in (string[])["tcp", "tcp6"])
        {
            var path = Path.Combine(directory, file);
            string[] lines;
            try
            {
                lines = File.ReadAllLines(path);
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            for (var i = 1; i < lines.Length; i++)
            {
                if (TryParse(lines[i], out var entry))
                {
                    entries.Add(entry);
                }
            }
        }

        return entries;
    }

    /// <summary>Parses one table line (exposed for tests).</summary>
    public static bool TryParse(string line, out TcpTableEntry entry)
    {
        entry = null!;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5 || !TryEndPoint(fields[1], out var local) || !TryEndPoint(fields[2], out var remote)
            || !int.TryParse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var state))
        {
            return false;
        }

        var queues = fields[4].Split(':');
        if (queues.Length != 2
            || !long.TryParse(queues[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var tx)
            || !long.TryParse(queues[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var rx))
        {
            return false;
        }

        var name = state >= 0 && state < StateNames.Length ? StateNames[state] : $"STATE_{state}";
        entry = new TcpTableEntry(local, remote, name, tx, rx);
        return true;
    }

    private static bool TryEndPoint(string text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon is not (8 or 32)
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[colon / 2];
        for (var word = 0; word < colon / 8; word++)
        {
            if (!uint.TryParse(text.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            // The word is the kernel's memory printed as a host-order integer; on a little-endian host, reversed.
            if (BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.Slice(word * 4, 4), value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes.Slice(word * 4, 4), value);
            }
        }

        var address = new IPAddress(bytes);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }
}
