using System.Runtime.CompilerServices;

namespace Linger.Flows.Internal;

/// <summary>
/// The letters of a Zeek history string as the connection goes: the first ones inline, since nearly every history
/// is short ("ShADadFf"), the rest in an array that only the rare long history allocates. Letters are ASCII.
/// </summary>
internal struct ZeekHistory
{
    /// <summary>Zeek's histories can grow without end; Linger keeps this many letters.</summary>
    public const int MaxLength = 256;

    private const int InlineCapacity = 16;

    private InlineLetters _inline;
    private byte[]? _overflow;
    private int _length;

    public readonly int Length => _length;

    public void Append(char letter)
    {
        if (_length < InlineCapacity)
        {
            _inline[_length++] = (byte)letter;
        }
        else if (_length < MaxLength)
        {
            _overflow ??= new byte[MaxLength - InlineCapacity];
            _overflow[_length++ - InlineCapacity] = (byte)letter;
        }
    }

    /// <summary>The history as a string; the common ones are shared instances rather than new strings.</summary>
    public readonly string ToShared()
    {
        Span<char> letters = stackalloc char[MaxLength];
        ReadOnlySpan<byte> inline = _inline;
        var n = Math.Min(_length, InlineCapacity);
        for (var i = 0; i < n; i++)
        {
            letters[i] = (char)inline[i];
        }

        for (var i = InlineCapacity; i < _length; i++)
        {
            letters[i] = (char)_overflow![i - InlineCapacity];
        }

        return HistoryStrings.Get(letters[.._length]);
    }

    [InlineArray(InlineCapacity)]
    private struct InlineLetters
    {
        private byte _first;
    }
}
