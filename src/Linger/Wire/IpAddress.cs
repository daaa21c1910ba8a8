using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;

namespace Linger.Wire;

/// <summary>
/// An IPv4 or IPv6 address held in two 64-bit words, so packets and flow keys carry addresses without allocating.
/// IPv4 addresses live in the low 32 bits of <see cref="Low"/> with <see cref="High"/> zero.
/// </summary>
public readonly struct IpAddress : IEquatable<IpAddress>, IComparable<IpAddress>
{
    private IpAddress(ulong high, ulong low, bool isV6)
    {
        High = high;
        Low = low;
        IsV6 = isV6;
    }

    /// <summary>The first 64 bits of an IPv6 address; zero for IPv4.</summary>
    public ulong High { get; }

    /// <summary>The last 64 bits of an IPv6 address, or the IPv4 address in the low 32 bits.</summary>
    public ulong Low { get; }

    /// <summary>True for IPv6.</summary>
    public bool IsV6 { get; }

    /// <summary>An IPv4 address from its four bytes in network order.</summary>
    public static IpAddress FromV4(ReadOnlySpan<byte> bytes) => new(0, BinaryPrimitives.ReadUInt32BigEndian(bytes), false);

    /// <summary>An IPv4 address from its value in host order (192.0.2.1 is 0xC0000201).</summary>
    public static IpAddress FromV4(uint value) => new(0, value, false);

    /// <summary>An IPv6 address from its sixteen bytes in network order.</summary>
    public static IpAddress FromV6(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), true);

    /// <summary>Converts a <see cref="IPAddress"/>.</summary>
    public static IpAddress From(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out var n);
        return n == 4 ? FromV4(b[..4]) : FromV6(b);
    }

    /// <summary>The IPv4 value in host order (only meaningful when <see cref="IsV6"/> is false).</summary>
    public uint V4 => (uint)Low;

    /// <summary>Writes the address in network order; returns the number of bytes (4 or 16).</summary>
    public int WriteBytes(Span<byte> destination)
    {
        if (!IsV6)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)Low);
            return 4;
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
        return 16;
    }

    /// <summary>Converts to <see cref="IPAddress"/> (allocates; for output only).</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> b = stackalloc byte[16];
        var n = WriteBytes(b);
        return new IPAddress(b[..n]);
    }

    /// <inheritdoc/>
    public override string ToString() => ToIPAddress().ToString();

    /// <summary>
    /// Writes the address as text (dotted quad, or RFC 5952 IPv6) without allocating for IPv4; false when
    /// <paramref name="destination"/> is too small (16 characters suffice for IPv4, 46 for IPv6).
    /// </summary>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        if (IsV6)
        {
            // An IPv4 address inside IPv6 (::ffff:a.b.c.d, ::a.b.c.d) is written with its dotted tail: the BCL's form.
            return High == 0 && (Low >> 32) is 0 or 0xFFFF
                ? ToIPAddress().TryFormat(destination, out charsWritten)
                : TryFormatV6(destination, out charsWritten);
        }

        charsWritten = 0;
        var v = (uint)Low;
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            if (!((v >> shift) & 0xFF).TryFormat(destination[charsWritten..], out var n, default, System.Globalization.CultureInfo.InvariantCulture))
            {
                charsWritten = 0;
                return false;
            }

            charsWritten += n;
            if (shift > 0)
            {
                if (charsWritten >= destination.Length)
                {
                    charsWritten = 0;
                    return false;
                }

                destination[charsWritten++] = '.';
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public bool Equals(IpAddress other) => High == other.High && Low == other.Low && IsV6 == other.IsV6;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is IpAddress a && Equals(a);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(High, Low, IsV6);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int CompareTo(IpAddress other)
    {
        var c = IsV6.CompareTo(other.IsV6);
        if (c != 0)
        {
            return c;
        }

        c = High.CompareTo(other.High);
        return c != 0 ? c : Low.CompareTo(other.Low);
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(IpAddress left, IpAddress right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(IpAddress left, IpAddress right) => !left.Equals(right);

    /// <summary>Ordering.</summary>
    public static bool operator <(IpAddress left, IpAddress right) => left.CompareTo(right) < 0;

    /// <summary>Ordering.</summary>
    public static bool operator >(IpAddress left, IpAddress right) => left.CompareTo(right) > 0;

    /// <summary>Ordering.</summary>
    public static bool operator <=(IpAddress left, IpAddress right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering.</summary>
    public static bool operator >=(IpAddress left, IpAddress right) => left.CompareTo(right) >= 0;

    /// <summary>RFC 5952 text: lowercase hexadecimal without leading zeros, the longest run of two or more zero groups
    /// (the first of equal runs) written "::".</summary>
    private bool TryFormatV6(Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        Span<ushort> groups = stackalloc ushort[8];
        for (var i = 0; i < 4; i++)
        {
            groups[i] = (ushort)(High >> (48 - (16 * i)));
            groups[i + 4] = (ushort)(Low >> (48 - (16 * i)));
        }

        int bestStart = -1, bestLength = 1;
        for (var i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            var start = i;
            while (i < 8 && groups[i] == 0)
            {
                i++;
            }

            if (i - start > bestLength)
            {
                (bestStart, bestLength) = (start, i - start);
            }
        }

        if (destination.Length < 39)
        {
            return false; // the longest form, eight groups of four digits and seven colons
        }

        var n = 0;
        for (var i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                destination[n++] = ':';
                destination[n++] = ':';
                i += bestLength - 1;
                continue;
            }

            if (n > 0 && destination[n - 1] != ':')
            {
                destination[n++] = ':';
            }

            groups[i].TryFormat(destination[n..], out var written, "x", System.Globalization.CultureInfo.InvariantCulture);
            n += written;
        }

        charsWritten = n;
        return true;
    }
}
