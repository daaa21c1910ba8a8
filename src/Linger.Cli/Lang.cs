using System.Globalization;

namespace Linger.Cli;

/// <summary>Chooses the language of the output: <c>--lang</c> when given, otherwise the UI culture (LANG on Unix).</summary>
internal static class Lang
{
    public static readonly string[] Supported = ["en", "ru"];

    public static CultureInfo Resolve(string? lang)
    {
        var code = lang ?? (CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ru" ? "ru" : "en");
        return CultureInfo.GetCultureInfo(code);
    }
}
