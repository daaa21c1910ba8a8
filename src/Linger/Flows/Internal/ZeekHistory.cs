using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// The letters of a Zeek history string as the connection goes, kept inside the conversation's slot (no reference,
/// so the slot stays plain data): nearly every history is short ("ShADadFf") and fits the inline letters. Letters
/// past those wait in a small pending area until the owner moves them out (<see cref="TakePending"/>), which it
/// does after every packet; a packet adds at most four letters (one for its flags, a 'W', a 'T' and a '^').
/// Letters are ASCII.
/// </summary>
internal struct ZeekHistory
{
    /// <summary>Zeek's histories can grow without end; Linger keeps this many letters.</summary>
    public const int MaxLength = 256;

    public const int InlineCapacity = 16;

    private const int PendingCapacity = 4;

    private InlineLetters _inline;
    private PendingLetters _pending;
    private ushort _length;
    private byte _pendingCount;

    /// <summary>Letters so far, inline and moved out.</summary>
    public readonly int Length => _length;

    /// <summary>Letters past the inline ones are waiting for <see cref="TakePending"/>.</summary>
    public readonly bool HasPending => _pendingCount != 0;

    /// <summary>The inline letters (the first <see cref="InlineCapacity"/> of the history at most).</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> Inline => ((ReadOnlySpan<byte>)_inline)[..Math.Min((int)_length, InlineCapacity)];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(char letter)
    {
        if (_length < InlineCapacity)
        {
            _inline[_length++] = (byte)letter;
        }
        else if (_length < MaxLength)
        {
            if (_pendingCount == PendingCapacity)
            {
                throw new InvalidOperationException("Zeek history: pending letters were not taken after a packet.");
            }

            _pending[_pendingCount++] = (byte)letter;
            _length++;
        }
    }

    /// <summary>Moves the pending letters into <paramref name="destination"/>; returns how many.</summary>
    public int TakePending(Span<byte> destination)
    {
        var n = _pendingCount;
        ((ReadOnlySpan<byte>)_pending)[..n].CopyTo(destination);
        _pendingCount = 0;
        return n;
    }

    /// <summary>The history as a string; the common ones are shared instances rather than new strings.</summary>
    /// <param name="movedOut">The letters past the inline ones, as taken with <see cref="TakePending"/>.</param>
    /// <param name="strings">The strings of the histories seen before.</param>
    public readonly string ToShared(ReadOnlySpan<byte> movedOut, HistoryStrings strings) =>
        strings.Get(Inline, movedOut[..(_length - Math.Min((int)_length, InlineCapacity))]);

    [InlineArray(InlineCapacity)]
    private struct InlineLetters
    {
        private byte _first;
    }

    [InlineArray(PendingCapacity)]
    private struct PendingLetters
    {
        private byte _first;
    }
}
