using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using Linger.Flows;
using Linger.Wire;

namespace Linger.Cli.Analyze;

/// <summary>
/// A count per endpoint, for the table's "who reset most" and "busiest servers": an open-addressing table with
/// linear probing keyed by the endpoint's fields (one probe sequence per count, no comparer calls), and the top few
/// picked at the end without sorting them all.
/// </summary>
/// <param name="limit">Bounds the memory: past this many distinct endpoints only the ones already counted keep counting.</param>
internal sealed class EndpointCounts(int limit)
{
    private Slot[] _slots = new Slot[4096];
    private int _count;

    /// <summary>How many distinct endpoints are counted.</summary>
    public int Count => _count;

    /// <summary>One more for <paramref name="endpoint"/>.</summary>
    [MethodImpl(Compile.Hot)]
    public void Add(Endpoint endpoint)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        var high = endpoint.Address.High;
        var low = endpoint.Address.Low;
        var tag = Tag(endpoint);
        var i = Hash(high, low, tag) & mask;
        while (true)
        {
            ref var slot = ref slots[i];
            if (slot.Count == 0)
            {
                break;
            }

            if (slot.Low == low && slot.Tag == tag && slot.High == high)
            {
                slot.Count++;
                return;
            }

            i = (i + 1) & mask;
        }

        if (_count >= limit)
        {
            return;
        }

        slots[i] = new Slot { High = high, Low = low, Tag = tag, Count = 1 };
        if (++_count * 2 > slots.Length)
        {
            Grow();
        }
    }

    /// <summary>
    /// The <paramref name="n"/> largest counts with their endpoints' text, largest first; equal counts in the ordinal
    /// order of the text (as ordering every count by count, then by text, would give).
    /// </summary>
    /// <remarks>Arrays rather than generic collections of structs: this runs once, and those would be compiled at
    /// run time for it.</remarks>
    public Ranked[] Top(int n)
    {
        var texts = new string[n];
        var counts = new long[n];
        var kept = 0;
        Span<char> text = stackalloc char[64];
        foreach (var slot in _slots)
        {
            var count = slot.Count;
            if (count == 0 || (kept == n && count < counts[n - 1]))
            {
                continue;
            }

            slot.Endpoint.TryFormat(text, out var written, default, CultureInfo.InvariantCulture);
            var candidate = text[..written];
            var at = kept;
            while (at > 0 && (count > counts[at - 1] || (count == counts[at - 1] && candidate.CompareTo(texts[at - 1], StringComparison.Ordinal) < 0)))
            {
                at--;
            }

            if (at == n)
            {
                continue;
            }

            kept = Math.Min(kept + 1, n);
            Array.Copy(texts, at, texts, at + 1, kept - at - 1);
            Array.Copy(counts, at, counts, at + 1, kept - at - 1);
            texts[at] = candidate.ToString();
            counts[at] = count;
        }

        var top = new Ranked[kept];
        for (var i = 0; i < kept; i++)
        {
            top[i] = new Ranked(texts[i], counts[i]);
        }

        return top;
    }

    // The port, and whether the address is IPv6: with the address's two halves, the whole key.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Tag(Endpoint e) => e.Port | (e.Address.IsV6 ? 1u << 16 : 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ulong high, ulong low, uint tag) =>
        (int)(((low ^ (high * 0xC2B2AE3D27D4EB4FUL) ^ ((ulong)tag << 40)) * 0x9E3779B97F4A7C15UL) >> 33);

    private void Grow()
    {
        var old = _slots;
        _slots = new Slot[old.Length * 2];
        var mask = _slots.Length - 1;
        foreach (var slot in old)
        {
            if (slot.Count == 0)
            {
                continue;
            }

            var i = Hash(slot.High, slot.Low, slot.Tag) & mask;
            while (_slots[i].Count != 0)
            {
                i = (i + 1) & mask;
            }

            _slots[i] = slot;
        }
    }

    /// <summary>An endpoint's text and its count.</summary>
    public sealed record Ranked(string Endpoint, long Count);

    private struct Slot
    {
        public ulong High;
        public ulong Low;
        public uint Tag;
        public long Count;

        public readonly Endpoint Endpoint
        {
            get
            {
                if ((Tag >> 16) == 0)
                {
                    return new Endpoint(IpAddress.FromV4((uint)Low), (ushort)Tag);
                }

                Span<byte> bytes = stackalloc byte[16];
                BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
                BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
                return new Endpoint(IpAddress.FromV6(bytes), (ushort)Tag);
            }
        }
    }
}
