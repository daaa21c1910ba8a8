using System.Globalization;
using System.Text.Json;
using Linger.Cli.Output;
using Linger.Probe;

namespace Linger.Cli.Probe;

/// <summary>
/// What every <c>linger probe</c> prints: the transcript live (swaks-style marks and timings) and then the stages and
/// findings; or, with <c>--json</c>, one document (schema <c>linger.probe/1</c>, documented in README.md).
/// </summary>
internal sealed class ProbeOutput(TextWriter stdout, ConsoleOptions console, bool json)
{
    /// <summary>Prints a transcript line as it happens (text mode only).</summary>
    public void Line(TranscriptLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (json)
        {
            return;
        }

        var prefix = string.Create(CultureInfo.InvariantCulture, $"{line.Ms,8:0.0} ms {line.Mark} ");
        foreach (var text in TextWrap.Wrap(line.Text, console.Width, prefix, new string(' ', prefix.Length)))
        {
            stdout.WriteLine(text);
        }

        stdout.Flush();
    }

    /// <summary>Prints the end of the report and returns the exit code.</summary>
    public int Finish(ProbeReport report, Stream? rawStdout)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (json)
        {
            stdout.Flush();
            if (rawStdout is not null)
            {
                WriteJson(rawStdout, report);
                rawStdout.Flush();
            }
            else
            {
                using var buffer = new MemoryStream();
                WriteJson(buffer, report);
                stdout.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }

            return ProbeExitCodes.For(report);
        }

        stdout.WriteLine();
        stdout.WriteLine("Stages");
        foreach (var stage in report.Stages)
        {
            var state = stage.Ok ? "ok" : "FAILED";
            var columns = string.Create(CultureInfo.InvariantCulture, $"  {stage.Name,-12} {state,-7} {stage.Ms,8:0.0} ms");
            if (stage.Error is not { } error)
            {
                stdout.WriteLine(columns);
                continue;
            }

            foreach (var text in TextWrap.Wrap(Describe(error), console.Width, columns + "  ", new string(' ', columns.Length + 2)))
            {
                stdout.WriteLine(text);
            }
        }

        if (report.Findings.Count > 0)
        {
            stdout.WriteLine();
            stdout.WriteLine("Findings");
            foreach (var f in report.Findings)
            {
                Wrap($"* [{f.Stage}] {f.Summary}", "  ", "    ");
                Wrap($"Likely cause: {f.LikelyCause}", "    ", "    ");
                if (f.Fix.Length > 0)
                {
                    Wrap($"Fix: {f.Fix}", "    ", "    ");
                }

                if (f.ExplainCode is { } code)
                {
                    Wrap($"More: linger explain {code}", "    ", "    ");
                }
            }
        }

        stdout.WriteLine();
        var exit = ProbeExitCodes.For(report);
        stdout.WriteLine(exit == 0 ? "Verdict: ok (every stage passed)" : $"Verdict: {report.Verdict} (exit code {exit})");
        return exit;
    }

    /// <summary>An error as people want to read it: the message, then errno and .NET names with numbers.</summary>
    public static string Describe(ProbeError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var codes = new List<string>();
        if (error.Errno is { } errno)
        {
            codes.Add($"errno {errno}");
        }

        if (error.SocketError is { } socketError)
        {
            codes.Add($"SocketError.{socketError} ({(int)socketError})");
        }

        return codes.Count == 0 ? error.Message : $"{error.Message} [{string.Join(", ", codes)}]";
    }

    private void Wrap(string text, string first, string indent)
    {
        foreach (var line in TextWrap.Wrap(text, console.Width, first, indent))
        {
            stdout.WriteLine(line);
        }
    }

    private static void WriteJson(Stream output, ProbeReport report)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("schema", "linger.probe/1");
        w.WriteString("target", report.Target);
        w.WriteString("probe", report.Probe);
        w.WriteStartArray("stages");
        foreach (var s in report.Stages)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteBoolean("ok", s.Ok);
            w.WriteNumber("ms", s.Ms);
            w.WriteStringOrNull("sent", s.Sent);
            w.WriteStringOrNull("received", s.Received);
            if (s.Error is { } e)
            {
                w.WriteStartObject("error");
                w.WriteStringOrNull("socket_error", e.SocketError?.ToString());
                w.WriteNumberOrNull("socket_error_code", e.SocketErrorCode);
                w.WriteNumberOrNull("errno", e.Errno);
                w.WriteString("message", e.Message);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("error");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("findings");
        foreach (var f in report.Findings)
        {
            w.WriteStartObject();
            w.WriteString("id", f.Id);
            w.WriteString("stage", f.Stage);
            w.WriteString("summary", f.Summary);
            w.WriteString("likely_cause", f.LikelyCause);
            w.WriteString("fix", f.Fix);
            w.WriteStringOrNull("explain_code", f.ExplainCode);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("transcript");
        foreach (var t in report.Transcript)
        {
            w.WriteStartObject();
            w.WriteNumber("ms", t.Ms);
            w.WriteString("dir", t.Mark);
            w.WriteString("text", t.Text);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("verdict", report.Verdict);
        w.WriteNumber("exit_code", ProbeExitCodes.For(report));
        w.WriteEndObject();
        w.Flush();
        output.Write("\n"u8);
    }

}
