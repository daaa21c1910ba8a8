namespace Linger.Wire.Filtering;

/// <summary>An IPv4 or IPv6 network: an address whose bits past <see cref="Length"/> are zero.</summary>
internal readonly struct IpPrefix
{
    public IpPrefix(IpAddress network, int length)
    {
        Network = network;
        Length = length;
    }

    public IpAddress Network { get; }

    /// <summary>Prefix length in bits: 0–32 for IPv4, 0–128 for IPv6.</summary>
    public int Length { get; }

    public int MaxLength => Network.IsV6 ? 128 : 32;

    /// <summary>True when <paramref name="address"/> is of the same family and inside the network.</summary>
    public bool Contains(IpAddress address)
    {
        if (address.IsV6 != Network.IsV6)
        {
            return false;
        }

        if (!Network.IsV6)
        {
            return (address.V4 & V4Mask(Length)) == Network.V4;
        }

        var (highMask, lowMask) = V6Masks(Length);
        return (address.High & highMask) == Network.High && (address.Low & lowMask) == Network.Low;
    }

    /// <summary>True when <paramref name="address"/> has no bits set past <paramref name="length"/>.</summary>
    public static bool HasOnlyNetworkBits(IpAddress address, int length)
    {
        if (!address.IsV6)
        {
            return (address.V4 & ~V4Mask(length)) == 0;
        }

        var (highMask, lowMask) = V6Masks(length);
        return (address.High & ~highMask) == 0 && (address.Low & ~lowMask) == 0;
    }

    public static uint V4Mask(int length) => length == 0 ? 0 : uint.MaxValue << (32 - length);

    public static (ulong High, ulong Low) V6Masks(int length) => length switch
    {
        0 => (0, 0),
        < 64 => (ulong.MaxValue << (64 - length), 0),
        64 => (ulong.MaxValue, 0),
        < 128 => (ulong.MaxValue, ulong.MaxValue << (128 - length)),
        _ => (ulong.MaxValue, ulong.MaxValue),
    };

    /// <summary>The 32-bit mask of word <paramref name="word"/> (0–3 for IPv6, 0 for IPv4), in host order.</summary>
    public uint WordMask(int word)
    {
        var bitsBefore = word * 32;
        var bits = Math.Clamp(Length - bitsBefore, 0, 32);
        return V4Mask(bits);
    }

    /// <summary>Word <paramref name="word"/> of the network address, in host order.</summary>
    public uint Word(int word)
    {
        if (!Network.IsV6)
        {
            return Network.V4;
        }

        return word switch
        {
            0 => (uint)(Network.High >> 32),
            1 => (uint)Network.High,
            2 => (uint)(Network.Low >> 32),
            _ => (uint)Network.Low,
        };
    }

    public override string ToString() => $"{Network}/{Length}";
}
