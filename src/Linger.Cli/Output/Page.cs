using Spectre.Console;

namespace Linger.Cli.Output;

/// <summary>
/// A terminal page: headings, wrapped paragraphs and bullet lists written through Spectre.Console, with colour
/// only when <see cref="ConsoleOptions.Colour"/> allows it. Every line fits <see cref="ConsoleOptions.Width"/>.
/// </summary>
/// <remarks>
/// Without colour, a line of printable ASCII that fits the width is written as it is: what Spectre.Console writes for
/// it, without starting Spectre.Console (its console and culture set-up cost about 45 ms of every
/// <c>linger analyze</c> run). Anything else still goes through it.
/// </remarks>
internal sealed class Page
{
    private readonly Lazy<IAnsiConsole> _console;

    public Page(TextWriter writer, ConsoleOptions options)
    {
        Options = options;
        Writer = writer;
        _console = new Lazy<IAnsiConsole>(
            () =>
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Ansi = options.Colour ? AnsiSupport.Yes : AnsiSupport.No,
                    ColorSystem = options.Colour ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
                    Out = new AnsiConsoleOutput(writer),
                    Interactive = InteractionSupport.No,
                });
                console.Profile.Width = options.Width;
                return console;
            },
            LazyThreadSafetyMode.None);
    }

    public ConsoleOptions Options { get; }

    /// <summary>Where the page is written: for plain text that needs no markup (see <see cref="Options"/>).</summary>
    public TextWriter Writer { get; }

    public int Width => Options.Width;

    public void Blank()
    {
        if (Options.Colour)
        {
            _console.Value.WriteLine();
        }
        else
        {
            Writer.WriteLine();
        }
    }

    /// <summary>A line written as is (already fitted), in the given style.</summary>
    public void Line(string text, string? style = null)
    {
        if (!Options.Colour && IsPlain(text) && text.Length <= Width)
        {
            Writer.WriteLine(text.AsSpan().TrimEnd(' '));
            return;
        }

        var escaped = Markup.Escape(text);
        _console.Value.MarkupLine(style is null ? escaped : $"[{style}]{escaped}[/]");
    }

    public void Heading(string text) => Line(text, "bold underline");

    /// <summary>A wrapped paragraph.</summary>
    public void Paragraph(string text, string indent = "", string? style = null) => Wrapped(text, indent, indent, style);

    /// <summary>A wrapped paragraph whose first line starts with <paramref name="first"/>.</summary>
    public void Wrapped(string text, string first, string rest, string? style = null)
    {
        foreach (var l in TextWrap.Wrap(text, Width, first, rest))
        {
            Line(l, style);
        }
    }

    /// <summary>Printable ASCII only: no tab, control or wide character for Spectre.Console to lay out.</summary>
    private static bool IsPlain(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
