using System.Runtime.InteropServices;
using Linger.Lab;
using static Linger.Cli.Lab.Html.Markup;

namespace Linger.Cli.Lab.Html;

/// <summary>
/// <c>linger lab --html FILE</c>: the whole run as one self-contained page (inline CSS and SVG, no script, no
/// external asset): a summary table linking to each scenario, then each scenario's story with its ladder diagram.
/// </summary>
internal static class LabHtmlReport
{
    /// <summary>Writes the page for <paramref name="results"/>, run at <paramref name="ranAt"/>.</summary>
    public static void Write(TextWriter o, IReadOnlyList<ScenarioResult> results, DateTimeOffset ranAt)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(results);
        o.WriteLine("<!DOCTYPE html>");
        o.WriteLine("<html lang=\"en\">");
        o.WriteLine("<head>");
        o.WriteLine("<meta charset=\"utf-8\" />");
        o.WriteLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />");
        o.WriteLine("<title>Linger lab: how TCP connections die on this machine</title>");
        o.WriteLine("<style>");
        o.WriteLine(ReportStyle.Css);
        o.WriteLine("</style>");
        o.WriteLine("</head>");
        o.WriteLine("<body>");
        o.WriteLine("<main>");
        WriteIntroduction(o, results, ranAt);
        WriteSummary(o, results);
        WriteLegend(o);
        foreach (var result in results)
        {
            ScenarioSection.Write(o, result);
        }

        o.WriteLine("</main>");
        o.WriteLine("</body>");
        o.WriteLine("</html>");
    }

    /// <summary>Why the report cannot be written to <paramref name="path"/>, checked before the run; null when it can.</summary>
    public static string? Unwritable(string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return ex.Message;
        }

        if (Directory.Exists(full))
        {
            return "it is a directory; give a file name such as lab.html";
        }

        var directory = Path.GetDirectoryName(full);
        return directory is not null && !Directory.Exists(directory)
            ? $"the directory {directory} does not exist; create it first"
            : null;
    }

    /// <summary>
    /// Writes the page to <paramref name="path"/> (UTF-8) and says where on <paramref name="info"/>; on failure says
    /// why on <paramref name="errors"/> and returns false.
    /// </summary>
    public static bool TryWriteFile(string path, IReadOnlyList<ScenarioResult> results, TextWriter info, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(errors);
        try
        {
            using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            writer.NewLine = "\n";
            Write(writer, results, DateTimeOffset.Now);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"linger: cannot write the report to '{path}': {ex.Message}");
            return false;
        }

        info.WriteLine($"Report: {Path.GetFullPath(path)}");
        return true;
    }

    private static void WriteIntroduction(TextWriter o, IReadOnlyList<ScenarioResult> results, DateTimeOffset ranAt)
    {
        int passed = 0, failed = 0, skipped = 0;
        var captured = false;
        foreach (var r in results)
        {
            captured |= r.Captured;
            switch (r.Status)
            {
                case ScenarioStatus.Passed: passed++; break;
                case ScenarioStatus.Failed: failed++; break;
                default: skipped++; break;
            }
        }

        o.WriteLine("<header>");
        o.WriteLine("<h1>Linger lab: how TCP connections die on this machine</h1>");
        o.WriteLine($"<p class=\"lede\">Each scenario is a real client and server on this kernel ({Encode(RuntimeInformation.OSDescription)}), run {Encode(ranAt.ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture))}. "
            + "Every call and its result was measured in this run, with both sides' TCP states read from the kernel after each call. "
            + (captured
                ? "The packets were captured and the analyser's verdict compared with what each scenario expects."
                : "Packets were not captured (the lab captures them when run as root), so no verdict was checked.")
            + " What other platforms do is labelled <em>documented</em>, with its source: it was not measured here.</p>");
        o.WriteLine($"<p class=\"lede\">{passed} passed, {failed} failed, {skipped} skipped.</p>");
        o.WriteLine("</header>");
    }

    private static void WriteSummary(TextWriter o, IReadOnlyList<ScenarioResult> results)
    {
        o.WriteLine("<nav aria-label=\"Scenarios\">");
        o.WriteLine("<table class=\"summary\">");
        o.WriteLine("<thead><tr><th>scenario</th><th>client saw</th><th>server saw</th><th>expected</th><th>analyser</th><th>agrees</th><th>packets</th><th>status</th></tr></thead>");
        o.WriteLine("<tbody>");
        foreach (var r in results)
        {
            var s = r.Scenario;
            var agrees = r.Agrees switch { true => "<span class=\"agrees-yes\">yes</span>", false => "<span class=\"agrees-no\">NO</span>", null => "–" };
            var packets = r.Captured ? r.Packets.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) : "not captured";
            o.Write($"<tr data-scenario=\"{Encode(s.Id)}\">");
            o.Write($"<td><a href=\"#{Anchor(s.Id)}\">{Encode(s.Id)}</a><br /><span class=\"title\">{Encode(s.Title)}</span></td>");
            o.Write($"<td class=\"saw\">{Encode(LabSummary.Saw(r, Actor.Client))}</td>");
            o.Write($"<td class=\"saw\">{Encode(LabSummary.Saw(r, Actor.Server))}</td>");
            o.Write($"<td>{Encode(s.Expected?.ToString() ?? "–")}</td>");
            o.Write($"<td>{Encode(LabSummary.Verdict(r))}</td>");
            o.Write($"<td>{agrees}</td>");
            o.Write($"<td>{Encode(r.Status == ScenarioStatus.Skipped ? "–" : packets)}</td>");
            o.Write($"<td>{StatusBadge(r.Status)}</td>");
            o.WriteLine("</tr>");
        }

        o.WriteLine("</tbody>");
        o.WriteLine("</table>");
        o.WriteLine("</nav>");
    }

    private static void WriteLegend(TextWriter o)
    {
        o.WriteLine("<p class=\"legend\">"
            + "<span><span class=\"swatch\" style=\"color: var(--ink)\"></span>segment (thick: carries data)</span>"
            + "<span><span class=\"swatch\" style=\"color: var(--fin)\"></span>FIN</span>"
            + "<span><span class=\"swatch\" style=\"color: var(--rst)\"></span>RST</span>"
            + "<span>seq and ack are relative to each side's first sequence number; win is the advertised window in bytes</span>"
            + "<span>yellow: a side's TCP state (and its queues) when it changed</span>"
            + "</p>");
    }

    /// <summary>The status as a coloured badge.</summary>
    public static string StatusBadge(ScenarioStatus status)
    {
        var name = status.ToString().ToLowerInvariant();
        return $"<span class=\"status {name}\">{name}</span>";
    }
}
