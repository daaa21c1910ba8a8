using System.Text;

namespace Linger.Cli.Output;

/// <summary>Word wrapping for terminal pages, so every line fits the width whatever the language.</summary>
internal static class TextWrap
{
    /// <summary>Wraps <paramref name="text"/> to <paramref name="width"/> columns; later lines start with <paramref name="indent"/>.</summary>
    public static IEnumerable<string> Wrap(string text, int width, string firstPrefix, string indent)
    {
        var line = new StringBuilder(firstPrefix);
        var lineHasWord = false;
        foreach (var word in text.Split([' ', '\n', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            var piece = word;
            if (lineHasWord && line.Length + 1 + piece.Length > width)
            {
                yield return line.ToString();
                line.Clear().Append(indent);
                lineHasWord = false;
            }

            // A single word longer than the line (a long command or path) is cut rather than allowed to overflow.
            while (line.Length + piece.Length > width && width - line.Length > 10)
            {
                var room = width - line.Length;
                line.Append(piece, 0, room);
                yield return line.ToString();
                line.Clear().Append(indent);
                piece = piece[room..];
            }

            if (lineHasWord)
            {
                line.Append(' ');
            }

            line.Append(piece);
            lineHasWord = true;
        }

        if (lineHasWord || line.Length > indent.Length)
        {
            yield return line.ToString();
        }
    }
}
