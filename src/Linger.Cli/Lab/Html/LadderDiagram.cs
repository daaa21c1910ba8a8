using Linger.Cli.Lab;
using Linger.Lab;
using Linger.Wire;
using static Linger.Cli.Lab.Html.Markup;

namespace Linger.Cli.Lab.Html;

/// <summary>
/// A scenario's sequence (ladder) diagram as inline SVG, drawn the way networking books draw them: the client's
/// lifeline on the left, the server's on the right, time flowing down, one slanted arrow per captured segment
/// labelled with its flags and numbers, each side's TCP state in the margin beside its lifeline whenever it changes,
/// and each call with what it returned at the height where it returned, on the caller's side.
/// </summary>
/// <remarks>
/// On loopback a segment is received when it is sent, so the slant is fixed and rows are spaced by order, not by
/// time; the real time of every row is printed in the left gutter. Text widths are estimated from character counts
/// (SVG text does not wrap), with fonts the page asks for in <see cref="ReportStyle"/>.
/// </remarks>
internal static class LadderDiagram
{
    private const double Width = 1220;
    private const double TimeRight = 70;
    private const double ClientNoteRight = 334;
    private const double ClientX = 466;
    private const double ServerX = 826;
    private const double ServerNoteLeft = 958;
    private const int NoteChars = 32;
    private const int NetworkChars = 42;
    private const double HeaderHeight = 64;
    private const double LineHeight = 15;
    private const double PacketRowHeight = 38;
    private const double Slant = 10;
    private const double MonoCharWidth = 6.7;
    private const double SmallMonoCharWidth = 6.1;
    private const double SansCharWidth = 6.9;

    /// <summary>Writes the diagram of <paramref name="result"/>.</summary>
    public static void Write(TextWriter o, ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(result);
        var entries = LadderTimeline.Of(result);
        var notice = !result.Captured ? "Packets were not captured in this run (the lab captures them when run as root)."
            : result.Packets.Count == 0 ? "No packets were captured on the scenario's port."
            : null;

        var y = HeaderHeight + 10;
        var noticeY = y;
        if (notice is not null)
        {
            y += 34;
        }

        var rows = new List<(LadderEntry Entry, double Y)>(entries.Count);
        foreach (var entry in entries)
        {
            rows.Add((entry, y));
            y += entry switch
            {
                PacketEntry => PacketRowHeight,
                StepEntry step => StepHeight(step),
                _ => 0,
            };
        }

        var bottom = y + 12;
        var height = bottom + 14;
        var id = result.Scenario.Id;
        o.Write($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" data-scenario=\"{Encode(id)}\" data-packets=\"{result.Packets.Count}\"");
        o.Write($" viewBox=\"0 0 {Number(Width)} {Number(height)}\" width=\"{Number(Width)}\" height=\"{Number(height)}\"");
        o.WriteLine($" role=\"img\" aria-label=\"{Encode($"Sequence diagram of {id}: {result.Packets.Count} packets, {result.Steps.Count} calls")}\">");
        o.WriteLine($"<title>{Encode($"{id}: packets between client and server, calls and TCP states")}</title>");
        WriteHeader(o, result, bottom);
        if (notice is not null)
        {
            o.WriteLine($"<text class=\"notice\" x=\"{Number((ClientX + ServerX) / 2)}\" y=\"{Number(noticeY + 18)}\" text-anchor=\"middle\">{Encode(notice)}</text>");
        }

        foreach (var (entry, top) in rows)
        {
            switch (entry)
            {
                case PacketEntry packet:
                    WritePacket(o, result, packet, top);
                    break;
                case StepEntry step:
                    WriteStep(o, step, top);
                    break;
            }
        }

        o.WriteLine("</svg>");
    }

    private static void WriteHeader(TextWriter o, ScenarioResult result, double bottom)
    {
        o.WriteLine($"<text class=\"gutter-title\" x=\"{Number(TimeRight)}\" y=\"{Number(HeaderHeight - 8)}\" text-anchor=\"end\">time</text>");
        foreach (var (name, x, endpoint) in new[] { ("client", ClientX, result.Client), ("server", ServerX, result.Server) })
        {
            var where = endpoint?.ToString() ?? (name == "client" ? "(never connected)" : "(no address)");
            o.WriteLine($"<g class=\"actor\" data-actor=\"{name}\">");
            o.WriteLine($"<rect x=\"{Number(x - 90)}\" y=\"4\" width=\"180\" height=\"44\" rx=\"4\" />");
            o.WriteLine($"<text class=\"actor-name\" x=\"{Number(x)}\" y=\"22\" text-anchor=\"middle\">{name}</text>");
            o.WriteLine($"<text class=\"endpoint\" x=\"{Number(x)}\" y=\"40\" text-anchor=\"middle\">{Encode(where)}</text>");
            o.WriteLine($"<line class=\"lifeline\" x1=\"{Number(x)}\" y1=\"48\" x2=\"{Number(x)}\" y2=\"{Number(bottom)}\" />");
            o.WriteLine($"<line class=\"lifeline-end\" x1=\"{Number(x - 10)}\" y1=\"{Number(bottom)}\" x2=\"{Number(x + 10)}\" y2=\"{Number(bottom)}\" />");
            o.WriteLine("</g>");
        }
    }

    private static void WritePacket(TextWriter o, ScenarioResult result, PacketEntry entry, double top)
    {
        var p = entry.Packet;
        var kind = (p.Flags & TcpFlags.Rst) != 0 ? "rst"
            : (p.Flags & TcpFlags.Fin) != 0 ? "fin"
            : (p.Flags & TcpFlags.Syn) != 0 ? "syn"
            : p.Length > 0 ? "data"
            : "ack";
        var from = p.FromClient ? ClientX : ServerX;
        var to = p.FromClient ? ServerX : ClientX;
        var y0 = top + 19;
        var y1 = y0 + Slant;

        // The head ends on the receiver's lifeline; the shaft stops where the head begins so a thick line cannot poke through it.
        var dx = to - from;
        var length = Math.Sqrt((dx * dx) + (Slant * Slant));
        var (ux, uy) = (dx / length, Slant / length);
        const double head = 10, half = 4.5;
        var (bx, by) = (to - (ux * head), y1 - (uy * head));
        var points = $"{Number(to)},{Number(y1)} {Number(bx - (uy * half))},{Number(by + (ux * half))} {Number(bx + (uy * half))},{Number(by - (ux * half))}";

        var label = p.Describe();
        if (result.Client is { } client && p.ClientPort != client.Port)
        {
            // Another connection of the same scenario (a retry, a second client): say which.
            label = $"[:{p.ClientPort}] {label}";
        }

        var side = p.FromClient ? "client" : "server";
        o.WriteLine($"<g class=\"packet {kind}\" data-packet=\"{entry.Index}\" data-from=\"{side}\" data-flags=\"{Encode(p.FlagNames)}\" data-t-ms=\"{Number(p.TimeMs)}\">");
        o.WriteLine($"<text class=\"time\" x=\"{Number(TimeRight)}\" y=\"{Number(y0 + 4)}\" text-anchor=\"end\">{Encode(Milliseconds(p.TimeMs))}</text>");
        o.WriteLine($"<text class=\"label\" x=\"{Number((ClientX + ServerX) / 2)}\" y=\"{Number(top + 13)}\" text-anchor=\"middle\">{Encode(label)}</text>");
        o.WriteLine($"<line x1=\"{Number(from)}\" y1=\"{Number(y0)}\" x2=\"{Number(bx)}\" y2=\"{Number(by)}\" />");
        o.WriteLine($"<polygon points=\"{points}\" />");
        o.WriteLine("</g>");
    }

    private static double StepHeight(StepEntry entry)
    {
        var lines = entry.Step.Actor == Actor.Network ? NetworkLines(entry.Step).Count : NoteLines(entry.Step).Count;
        var pills = Math.Max(PillHeight(entry.ClientState), PillHeight(entry.ServerState));
        return Math.Max((lines * LineHeight) + 6, pills + 4) + 8;
    }

    private static void WriteStep(TextWriter o, StepEntry entry, double top)
    {
        var step = entry.Step;
        var actor = step.Actor.ToString().ToLowerInvariant();
        var outcome = Outcome(step.Result);
        o.WriteLine($"<g class=\"step {outcome}\" data-actor=\"{actor}\" data-action=\"{Encode(step.Action)}\" data-t-ms=\"{Number(step.TimeMs)}\">");
        o.WriteLine($"<text class=\"time\" x=\"{Number(TimeRight)}\" y=\"{Number(top + 14)}\" text-anchor=\"end\">{Encode(Milliseconds(step.TimeMs))}</text>");
        if (step.Actor == Actor.Network)
        {
            WriteNetworkNote(o, step, top);
        }
        else
        {
            var client = step.Actor == Actor.Client;
            var x = client ? ClientX : ServerX;
            var noteX = client ? ClientNoteRight : ServerNoteLeft;
            var anchor = client ? "end" : "start";
            o.WriteLine($"<line class=\"leader\" x1=\"{Number(client ? noteX + 6 : x + 6)}\" y1=\"{Number(top + 10)}\" x2=\"{Number(client ? x - 6 : noteX - 6)}\" y2=\"{Number(top + 10)}\" />");
            o.WriteLine($"<circle class=\"call-dot\" cx=\"{Number(x)}\" cy=\"{Number(top + 10)}\" r=\"4\" />");
            o.Write($"<text class=\"note\" x=\"{Number(noteX)}\" y=\"{Number(top + 14)}\" text-anchor=\"{anchor}\">");
            var first = true;
            foreach (var (text, kind) in NoteLines(step))
            {
                o.Write($"<tspan class=\"{kind}\" x=\"{Number(noteX)}\" dy=\"{(first ? "0" : Number(LineHeight))}\">{Encode(text)}</tspan>");
                first = false;
            }

            o.WriteLine("</text>");
        }

        WriteState(o, "client", entry.ClientState, ClientX - 8, "end", top);
        WriteState(o, "server", entry.ServerState, ServerX + 8, "start", top);
        o.WriteLine("</g>");
    }

    private static void WriteNetworkNote(TextWriter o, ScenarioStep step, double top)
    {
        var lines = NetworkLines(step);
        var longest = 0;
        foreach (var (text, _) in lines)
        {
            longest = Math.Max(longest, text.Length);
        }

        var middle = (ClientX + ServerX) / 2;
        var width = (longest * SansCharWidth) + 20;
        o.WriteLine($"<rect class=\"network-note\" x=\"{Number(middle - (width / 2))}\" y=\"{Number(top + 1)}\" width=\"{Number(width)}\" height=\"{Number((lines.Count * LineHeight) + 6)}\" rx=\"3\" />");
        o.Write($"<text class=\"note\" x=\"{Number(middle)}\" y=\"{Number(top + 14)}\" text-anchor=\"middle\">");
        var first = true;
        foreach (var (text, kind) in lines)
        {
            o.Write($"<tspan class=\"{kind}\" x=\"{Number(middle)}\" dy=\"{(first ? "0" : Number(LineHeight))}\">{Encode(text)}</tspan>");
            first = false;
        }

        o.WriteLine("</text>");
    }

    private static void WriteState(TextWriter o, string side, TcpSocketState? state, double edge, string anchor, double top)
    {
        if (state is null)
        {
            return;
        }

        var queues = Queues(state);
        var width = (state.State.Length * MonoCharWidth) + 14;
        foreach (var queue in queues)
        {
            width = Math.Max(width, (queue.Length * SmallMonoCharWidth) + 14);
        }

        var left = anchor == "end" ? edge - width : edge;
        var middle = left + (width / 2);
        o.WriteLine($"<g class=\"state\" data-side=\"{side}\" data-state=\"{Encode(state.State)}\">");
        o.WriteLine($"<rect x=\"{Number(left)}\" y=\"{Number(top + 1)}\" width=\"{Number(width)}\" height=\"{Number(PillHeight(state))}\" rx=\"9\" />");
        o.WriteLine($"<text class=\"state-name\" x=\"{Number(middle)}\" y=\"{Number(top + 14)}\" text-anchor=\"middle\">{Encode(state.State)}</text>");
        var y = top + 14;
        foreach (var queue in queues)
        {
            y += 13;
            o.WriteLine($"<text class=\"queue\" x=\"{Number(middle)}\" y=\"{Number(y)}\" text-anchor=\"middle\">{Encode(queue)}</text>");
        }

        o.WriteLine("</g>");
    }

    private static double PillHeight(TcpSocketState? state) => state is null ? 0 : 19 + (13 * Queues(state).Count);

    /// <summary>The queues worth a line: bytes waiting in either direction (for a listener, connections waiting).</summary>
    private static List<string> Queues(TcpSocketState state)
    {
        var lines = new List<string>(2);
        if (state.State == "LISTEN")
        {
            if (state.ReceiveQueue > 0)
            {
                lines.Add($"{state.ReceiveQueue} to accept");
            }

            return lines;
        }

        if (state.SendQueue > 0)
        {
            lines.Add($"unacked {state.SendQueue} B");
        }

        if (state.ReceiveQueue > 0)
        {
            lines.Add($"unread {state.ReceiveQueue} B");
        }

        return lines;
    }

    /// <summary>The class of a call's outcome: <c>ok</c>, <c>error</c> (a socket error or failure), <c>timeout</c> (the application gave up).</summary>
    private static string Outcome(StepResult result) =>
        result.Ok ? "ok"
        : result.SocketError is null && result.Detail is { } detail && detail.Contains("application timeout", StringComparison.Ordinal) ? "timeout"
        : "error";

    private static List<(string Text, string Kind)> NoteLines(ScenarioStep step) => Lines(step, NoteChars);

    private static List<(string Text, string Kind)> NetworkLines(ScenarioStep step) => Lines(step, NetworkChars);

    private static List<(string Text, string Kind)> Lines(ScenarioStep step, int width)
    {
        var lines = new List<(string, string)>();
        foreach (var line in Wrap(step.Action, width))
        {
            lines.Add((line, "call"));
        }

        var result = step.Result;
        var outcome = Outcome(result);
        var headlines = new List<string>(2);
        var detail = result.Detail;
        if (result.Ok)
        {
            headlines.Add(result.Bytes is { } n ? $"→ ok, {n} B" : "→ ok");
        }
        else if (result.SocketError is { } error)
        {
            // The errno and .NET's name on lines of their own: the two names people search for.
            headlines.Add(result.ErrnoName is { } name ? $"✗ {name} (errno {result.Errno})" : "✗ error");
            headlines.Add($"SocketError.{error} ({(int)error})");
        }
        else
        {
            headlines.Add("✗ " + (detail ?? "failed"));
            detail = null;
        }

        for (var i = 0; i < headlines.Count; i++)
        {
            // The .NET name is set lighter than the errno, so it gets a few more characters per line.
            var dotnet = i > 0;
            foreach (var line in Wrap(headlines[i], dotnet ? width + 6 : width))
            {
                lines.Add((line, dotnet ? "dotnet" : outcome));
            }
        }

        if (!string.IsNullOrWhiteSpace(detail))
        {
            foreach (var line in Wrap(detail, width))
            {
                lines.Add((line, "detail"));
            }
        }

        return lines;
    }
}
