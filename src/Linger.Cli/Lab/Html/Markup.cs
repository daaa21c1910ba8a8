using System.Globalization;
using System.Net;

namespace Linger.Cli.Lab.Html;

/// <summary>
/// Text for the report's markup. Everything that came from a scenario or a run goes through <see cref="Encode"/>;
/// the page is written so that it also parses as XML (void elements closed, only XML's own entities and numeric
/// references), which keeps the inline SVG valid and lets tests parse the page.
/// </summary>
internal static class Markup
{
    /// <summary>Text made safe for element content and quoted attribute values.</summary>
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    /// <summary>A number for coordinates and attributes: invariant, at most one decimal.</summary>
    public static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Milliseconds as the report prints them: <c>142.2 ms</c>.</summary>
    public static string Milliseconds(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    /// <summary><c>1 packet</c>, <c>2 packets</c>.</summary>
    public static string Count(long n, string unit) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? unit : unit + "s");

    /// <summary>
    /// An id fragment for anchors: letters, digits and dashes only, so links work whatever a scenario id holds.
    /// </summary>
    public static string Anchor(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var chars = new char[id.Length];
        for (var i = 0; i < id.Length; i++)
        {
            chars[i] = char.IsAsciiLetterOrDigit(id[i]) ? char.ToLowerInvariant(id[i]) : '-';
        }

        return "scenario-" + new string(chars);
    }

    /// <summary>
    /// Breaks <paramref name="text"/> into lines of at most <paramref name="width"/> characters at spaces (SVG text
    /// does not wrap by itself); a word longer than a line is cut.
    /// </summary>
    public static List<string> Wrap(string text, int width)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = new List<string>();
        var line = string.Empty;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = word;
            while (rest.Length > width)
            {
                if (line.Length > 0)
                {
                    lines.Add(line);
                    line = string.Empty;
                }

                lines.Add(rest[..width]);
                rest = rest[width..];
            }

            if (line.Length == 0)
            {
                line = rest;
            }
            else if (line.Length + 1 + rest.Length <= width)
            {
                line += " " + rest;
            }
            else
            {
                lines.Add(line);
                line = rest;
            }
        }

        if (line.Length > 0 || lines.Count == 0)
        {
            lines.Add(line);
        }

        return lines;
    }
}
