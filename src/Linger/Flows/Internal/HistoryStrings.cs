using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// Shares the string of each history seen before: most conversations of a capture have one of a few histories
/// ("ShADadFf", "Sr", "S"), so hundreds of thousands of summaries need only a handful of strings. One per tracker
/// (no locking, no thread-static lookup); histories of up to nine letters are found by their letters packed into a
/// number, without hashing a string.
/// </summary>
internal sealed class HistoryStrings
{
    private const int MaxShared = 4096;

    /// <summary>Seven bits per ASCII letter: nine letters fit in 63 bits, and no letter is zero, so lengths differ too.</summary>
    private const int MaxPacked = 9;

    private readonly Dictionary<ulong, string> _packed = [];
    private readonly Dictionary<string, string> _long = new(StringComparer.Ordinal);

    /// <summary>The history made of <paramref name="first"/> then <paramref name="rest"/> (ASCII letters).</summary>
    [MethodImpl(Compile.Hot)]
    public string Get(ReadOnlySpan<byte> first, ReadOnlySpan<byte> rest)
    {
        var length = first.Length + rest.Length;
        if (length <= MaxPacked)
        {
            var key = 0UL;
            foreach (var letter in first)
            {
                key = (key << 7) | letter;
            }

            foreach (var letter in rest)
            {
                key = (key << 7) | letter;
            }

            if (_packed.TryGetValue(key, out var known))
            {
                return known;
            }

            var s = ToString(first, rest);
            if (_packed.Count < MaxShared)
            {
                _packed.Add(key, s);
            }

            return s;
        }

        Span<char> letters = stackalloc char[ZeekHistory.MaxLength];
        letters = letters[..length];
        Widen(first, letters);
        Widen(rest, letters[first.Length..]);
        var lookup = _long.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(letters, out var shared))
        {
            return shared;
        }

        shared = letters.ToString();
        if (_long.Count < MaxShared)
        {
            _long.Add(shared, shared);
        }

        return shared;
    }

    private static string ToString(ReadOnlySpan<byte> first, ReadOnlySpan<byte> rest)
    {
        Span<char> letters = stackalloc char[first.Length + rest.Length];
        Widen(first, letters);
        Widen(rest, letters[first.Length..]);
        return letters.ToString();
    }

    private static void Widen(ReadOnlySpan<byte> ascii, Span<char> destination)
    {
        for (var i = 0; i < ascii.Length; i++)
        {
            destination[i] = (char)ascii[i];
        }
    }
}
