namespace Linger.Cli.Output;

/// <summary>How the terminal output looks: colour on or off, and how wide a line may be.</summary>
/// <param name="Colour">Whether ANSI colour is used.</param>
/// <param name="Width">The number of columns to fit.</param>
/// <param name="Interactive">Whether a person is watching a terminal (progress is drawn only then).</param>
internal sealed record ConsoleOptions(bool Colour, int Width, bool Interactive = false)
{
    /// <summary>Plain output, 80 columns: what a redirected stream or a test gets.</summary>
    public static ConsoleOptions Plain { get; } = new(false, 80);

    /// <summary>Colour only on a terminal and when NO_COLOR is unset; the terminal's width, at most 100 columns.</summary>
    public static ConsoleOptions FromEnvironment()
    {
        var redirected = Console.IsOutputRedirected;
        var noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var width = 80;
        if (!redirected)
        {
            try
            {
                // A terminal that does not report its size (0) gets the classic 80 columns.
                var columns = Console.WindowWidth;
                width = columns <= 0 ? 80 : Math.Clamp(columns, 40, 100);
            }
            catch (IOException)
            {
                width = 80;
            }
        }

        return new ConsoleOptions(!redirected && !noColor, width, !redirected);
    }
}
