using System.Diagnostics;
using System.Globalization;

namespace Linger.Cli.Output;

/// <summary>
/// A one-line progress indicator on standard error, drawn only when standard error is a terminal (never in pipes,
/// files or tests), at most a few times a second.
/// </summary>
internal sealed class ProgressLine(TextWriter stderr, ConsoleOptions console)
{
    private readonly bool _enabled = console.Interactive && !Console.IsErrorRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDrawMs = -1000;
    private bool _drawn;

    public void Report(string what, long done, long total)
    {
        if (!_enabled || _clock.ElapsedMilliseconds - _lastDrawMs < 200)
        {
            return;
        }

        _lastDrawMs = _clock.ElapsedMilliseconds;
        var fraction = total > 0 ? Math.Clamp((double)done / total, 0, 1) : 0;
        const int Width = 30;
        var filled = (int)(fraction * Width);
        var name = Path.GetFileName(what);
        if (name.Length > 30)
        {
            name = name[..27] + "...";
        }

        stderr.Write(string.Create(CultureInfo.InvariantCulture, $"\r{name} [{new string('#', filled)}{new string('.', Width - filled)}] {fraction * 100,3:0}%"));
        _drawn = true;
    }

    public void Clear()
    {
        if (_drawn)
        {
            stderr.Write("\r" + new string(' ', 70) + "\r");
            _drawn = false;
        }
    }
}
