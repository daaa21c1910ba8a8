using Spectre.Console;

namespace Linger.Cli.Output;

/// <summary>
/// A terminal page: headings, wrapped paragraphs and bullet lists written through Spectre.Console, with colour
/// only when <see cref="ConsoleOptions.Colour"/> allows it. Every line fits <see cref="ConsoleOptions.Width"/>.
/// </summary>
internal sealed class Page
{
    private readonly IAnsiConsole _console;

    public Page(TextWriter writer, ConsoleOptions options)
    {
        Options = options;
        Writer = writer;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = options.Colour ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = options.Colour ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        _console.Profile.Width = options.Width;
    }

    public ConsoleOptions Options { get; }

    /// <summary>Where the page is written: for plain text that needs no markup (see <see cref="Options"/>).</summary>
    public TextWriter Writer { get; }

    public int Width => Options.Width;

    public void Blank() => _console.WriteLine();

    /// <summary>A line written as is (already fitted), in the given style.</summary>
    public void Line(string text, string? style = null)
    {
        var escaped = Markup.Escape(text);
        _console.MarkupLine(style is null ? escaped : $"[{style}]{escaped}[/]");
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
}
