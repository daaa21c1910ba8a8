namespace Linger.Wire.Files.Internal;

/// <summary>Wording shared by the readers' messages, so every reader says the same thing the same way.</summary>
internal static class FileFormatText
{
    /// <summary>What a user can do with a file that is damaged part-way.</summary>
    public const string Salvage =
        "The records before this offset are intact; Wireshark or `editcap` can save them to a new file.";

    /// <summary>Bytes as people read them in a hex dump: "0A 0D 0D 0A".</summary>
    public static string Hex(ReadOnlySpan<byte> bytes)
    {
        var text = new System.Text.StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    public static string TruncatedLastRecord(long offset, int present, int needed) =>
        $"truncated last record at offset {offset}: {present} of {needed} bytes present; " +
        "the file was probably cut short while being written";
}
