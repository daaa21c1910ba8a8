using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Linger.Flows;
using Linger.Wire;

namespace Linger.Cli.Analyze;

/// <summary>
/// Numbers, addresses and endpoints written as ASCII bytes straight into an output buffer, the same text as their
/// <c>ToString</c> (invariant culture): the output formats run once per conversation, hundreds of thousands of times,
/// and write bytes rather than strings. Callers make room first (<see cref="MaxEndpoint"/>, 20 digits and a sign).
/// </summary>
internal static class AsciiText
{
    /// <summary>The most bytes an endpoint takes: "[" + the longest IPv6 text (45) + "]:" + 5 digits.</summary>
    public const int MaxEndpoint = 56;

    // Each octet's digits and a dot, packed little-endian into four bytes, with their count in the top byte's place:
    // an address is four unaligned stores.
    // (Tables are made with plain loops and literals: generic LINQ over value types is not precompiled and would be
    // compiled at run time.)
    private static readonly ulong[] OctetDot = PackOctets();

    private static ReadOnlySpan<ulong> PowersOf10 =>
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];

    // "00" to "99", two bytes each.
    private static ReadOnlySpan<byte> Pairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    /// <summary>A whole number as <see cref="long.ToString()"/> writes it; returns the bytes written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Number(long value, Span<byte> destination)
    {
        if (value < 0)
        {
            Utf8Formatter.TryFormat(value, destination, out var n);
            return n;
        }

        return Digits((ulong)value, destination);
    }

    /// <summary>The decimal digits of <paramref name="value"/>; returns the bytes written.</summary>
    [MethodImpl(Compile.Hot)]
    public static int Digits(ulong value, Span<byte> destination)
    {
        if (value < 10)
        {
            destination[0] = (byte)('0' + value);
            return 1;
        }

        var count = CountDigits(value);
        var i = count;
        while (value >= 100)
        {
            var q = value / 100;
            var pair = (int)(value - (q * 100)) * 2;
            i -= 2;
            destination[i] = Pairs[pair];
            destination[i + 1] = Pairs[pair + 1];
            value = q;
        }

        if (value >= 10)
        {
            destination[0] = Pairs[(int)value * 2];
            destination[1] = Pairs[((int)value * 2) + 1];
        }
        else
        {
            destination[0] = (byte)('0' + value);
        }

        return count;
    }

    /// <summary>
    /// The last <paramref name="count"/> decimal digits of <paramref name="value"/>, zero-padded (the fraction of a
    /// time or a duration); returns <paramref name="count"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PaddedDigits(int value, int count, Span<byte> destination)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        return count;
    }

    /// <summary>How many decimal digits <paramref name="value"/> has.</summary>
    public static int CountDigits(ulong value)
    {
        // log10 from log2 (1233/4096 is just over log10(2)), then one comparison to correct it; v | 1 has as many
        // digits as v and makes 0 count as one digit.
        value |= 1;
        var guess = ((BitOperations.Log2(value) + 1) * 1233) >> 12;
        return guess + (value >= PowersOf10[guess] ? 1 : 0);
    }

    /// <summary>The address as <see cref="IpAddress.TryFormat"/> writes it (no brackets); returns the bytes written.</summary>
    [MethodImpl(Compile.Hot)]
    public static int Address(IpAddress address, Span<byte> destination)
    {
        var n = 0;
        if (address.IsV6)
        {
            Span<char> text = stackalloc char[48];
            address.TryFormat(text, out var written);
            for (var i = 0; i < written; i++)
            {
                destination[n++] = (byte)text[i];
            }

            return n;
        }

        // Four stores of four bytes: each octet's digits and dot; the last dot is left past the end.
        if (destination.Length < 16)
        {
            return AddressShort(address.V4, destination);
        }

        var v = address.V4;
        ref var d = ref MemoryMarshal.GetReference(destination);
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            var packed = OctetDot[(int)((v >> shift) & 0xFF)];
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, n), (uint)packed);
            n += (int)(packed >> 32);
        }

        return n - 1;
    }

    /// <summary>The endpoint as <see cref="Endpoint.ToString()"/> writes it; returns the bytes written.</summary>
    [MethodImpl(Compile.Hot)]
    public static int Endpoint(Endpoint endpoint, Span<byte> destination)
    {
        int n;
        if (endpoint.Address.IsV6)
        {
            destination[0] = (byte)'[';
            n = 1 + Address(endpoint.Address, destination[1..]);
            destination[n++] = (byte)']';
        }
        else
        {
            n = Address(endpoint.Address, destination);
        }

        destination[n++] = (byte)':';
        return n + Digits(endpoint.Port, destination[n..]);
    }

    private static int AddressShort(uint v, Span<byte> destination)
    {
        Span<byte> room = stackalloc byte[16];
        var n = Address(IpAddress.FromV4(v), room);
        room[..n].CopyTo(destination);
        return n;
    }

    private static ulong[] PackOctets()
    {
        var all = new ulong[256];
        for (var octet = 0; octet < all.Length; octet++)
        {
            var text = octet.ToString(CultureInfo.InvariantCulture) + ".";
            ulong packed = 0;
            for (var i = text.Length - 1; i >= 0; i--)
            {
                packed = (packed << 8) | text[i];
            }

            all[octet] = packed | ((ulong)text.Length << 32);
        }

        return all;
    }

    /// <summary>Spaces up to <paramref name="width"/> after <paramref name="written"/> bytes (left-aligned text, as
    /// <c>{x,-width}</c>); returns the new count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PadTo(Span<byte> line, int written, int width)
    {
        if (written < width)
        {
            for (var i = written; i < width; i++)
            {
                line[i] = (byte)' ';
            }

            return width;
        }

        return written;
    }
}
