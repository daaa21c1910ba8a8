using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// A stable least-significant-digit radix sort of 64-bit keys carrying an item each, a byte per pass and only as many
/// passes as the keys' differing bits need (keys are compared with their sign bit flipped, so negative ones come
/// first): the tracker's end-of-input order (by first frame) for hundreds of thousands of conversations, in a few
/// linear passes instead of a comparison sort.
/// </summary>
internal static class RadixSort
{
    /// <summary>Sorts <paramref name="keys"/> ascending, moving <paramref name="items"/> with them; equal keys keep their order.</summary>
    [MethodImpl(Compile.Hot)]
    public static void Sort(long[] keys, int[] items)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(items.Length, keys.Length);
        var n = keys.Length;
        // The bits in which some key differs from the first: the passes over the others would move nothing.
        ulong bits = 0;
        var first = n > 0 ? Biased(keys[0]) : 0;
        foreach (var k in keys)
        {
            bits |= Biased(k) ^ first;
        }

        if (n < 2 || bits == 0)
        {
            return;
        }

        var fromKeys = keys;
        var fromItems = items;
        var toKeys = new long[n];
        var toItems = new int[n];
        Span<int> starts = stackalloc int[256];
        for (var shift = 0; shift < 64 && (bits >> shift) != 0; shift += 8)
        {
            starts.Clear();
            foreach (var k in fromKeys)
            {
                starts[(int)((Biased(k) >> shift) & 0xFF)]++;
            }

            var sum = 0;
            for (var d = 0; d < 256; d++)
            {
                var c = starts[d];
                starts[d] = sum;
                sum += c;
            }

            for (var i = 0; i < n; i++)
            {
                var k = fromKeys[i];
                var at = starts[(int)((Biased(k) >> shift) & 0xFF)]++;
                toKeys[at] = k;
                toItems[at] = fromItems[i];
            }

            (fromKeys, toKeys) = (toKeys, fromKeys);
            (fromItems, toItems) = (toItems, fromItems);
        }

        if (!ReferenceEquals(fromKeys, keys))
        {
            fromKeys.CopyTo(keys, 0);
            fromItems.CopyTo(items, 0);
        }
    }

    /// <summary>The key as an unsigned number in the same order: the sign bit flipped.</summary>
    private static ulong Biased(long key) => unchecked((ulong)key ^ 0x8000_0000_0000_0000UL);
}
