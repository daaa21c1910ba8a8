using System.Text.Json;
using Linger.Cli.Output;
using Linger.Flows;
using Linger.Lab;

namespace Linger.Cli.Lab;

/// <summary>
/// The lab's JSON document (schema <c>linger.lab/1</c>, documented in README.md):
/// <c>{"schema", "scenarios": [{"id", "title", "status", "skip_reason", "expected_verdict", "observed_verdict",
/// "agrees", "capture", "steps": [...], "windows": [...], ...}]}</c>.
/// </summary>
internal static class LabJson
{
    public static void Write(Stream output, IReadOnlyList<ScenarioResult> results)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("schema", "linger.lab/1");
        w.WriteStartArray("scenarios");
        foreach (var result in results)
        {
            WriteScenario(w, result);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        output.Write("\n"u8);
    }

    /// <summary>The catalogue (schema <c>linger.lab-list/1</c>): id, place, title, description, expected verdict.</summary>
    public static void WriteList(Stream output, IReadOnlyList<Scenario> scenarios)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("schema", "linger.lab-list/1");
        w.WriteStartArray("scenarios");
        foreach (var s in scenarios)
        {
            w.WriteStartObject();
            w.WriteString("id", s.Id);
            w.WriteString("place", s.Place == ScenarioPlace.Loopback ? "loopback" : "namespaces");
            w.WriteString("title", s.Title);
            w.WriteString("description", s.Description);
            w.WriteStringOrNull("expected_verdict", s.Expected?.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        output.Write("\n"u8);
    }

    private static void WriteScenario(Utf8JsonWriter w, ScenarioResult r)
    {
        var s = r.Scenario;
        w.WriteStartObject();
        w.WriteString("id", s.Id);
        w.WriteString("title", s.Title);
        w.WriteString("description", s.Description);
        w.WriteString("place", s.Place == ScenarioPlace.Loopback ? "loopback" : "namespaces");
        w.WriteString("status", r.Status.ToString().ToLowerInvariant());
        w.WriteStringOrNull("skip_reason", r.SkipReason);
        w.WriteStartArray("failures");
        foreach (var failure in r.Failures)
        {
            w.WriteStringValue(failure);
        }

        w.WriteEndArray();
        w.WriteStartArray("notes");
        foreach (var note in r.Notes)
        {
            w.WriteStringValue(note);
        }

        w.WriteEndArray();
        w.WriteStringOrNull("expected_verdict", s.Expected is { } e ? Expectation.Name(e.Verdict) : null);
        w.WriteStringOrNull("expected_reset_by", s.Expected?.ResetBy is { } by ? SideName(by) : null);
        w.WriteStringOrNull("observed_verdict", r.Observed is { } o ? Expectation.Name(o.Verdict) : null);
        w.WriteStringOrNull("observed_reset_by", r.Observed?.ResetBy is { } oby ? SideName(oby) : null);
        w.WriteBooleanOrNull("agrees", r.Agrees);

        w.WriteBoolean("captured", r.Captured);
        w.WriteStringOrNull("capture", r.CapturePath);
        w.WriteStringOrNull("client", r.Client?.ToString());
        w.WriteStringOrNull("server", r.Server?.ToString());
        w.WriteStringOrNull("explain_code", s.ExplainCode);
        w.WriteNumber("duration_ms", r.DurationMs);
        if (r.Observed is { } observed)
        {
            w.WriteStartObject("analysis");
            w.WriteString("conn_state", observed.ConnState.ToString());
            w.WriteString("history", observed.History);
            w.WriteNumber("packets", observed.Packets);
            if (observed.AfterFin is { } afterFin)
            {
                w.WriteBoolean("after_fin", afterFin);
            }

            if (observed.InReplyToData is { } reply)
            {
                w.WriteBoolean("in_reply_to_data", reply);
            }

            w.WriteBoolean("suspected_injection", observed.SuspectedInjection);
            w.WriteStartArray("injection_reasons");
            foreach (var reason in observed.InjectionReasons)
            {
                w.WriteStringValue(reason);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteStartArray("steps");
        foreach (var step in r.Steps)
        {
            WriteStep(w, step);
        }

        w.WriteEndArray();
        w.WriteStartArray("packets");
        foreach (var p in r.Packets)
        {
            w.WriteStartObject();
            w.WriteNumber("t_ms", p.TimeMs);
            w.WriteString("from", p.FromClient ? "client" : "server");
            w.WriteNumber("client_port", p.ClientPort);
            w.WriteString("flags", p.FlagNames);
            w.WriteNumber("seq", p.RelativeSequence);
            w.WriteNumberOrNull("ack", p.RelativeAcknowledgment);

            w.WriteNumber("len", p.Length);
            w.WriteNumber("win", p.Window);
            w.WriteNumber("ttl", p.Ttl);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("windows");
        foreach (var d in r.Windows)
        {
            w.WriteStartObject();
            w.WriteString("id", d.Id);
            w.WriteString("title", d.Title);
            w.WriteString("evidence", "documented");
            w.WriteString("text", d.Text);
            w.WriteString("source", d.Source);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteStep(Utf8JsonWriter w, ScenarioStep step)
    {
        w.WriteStartObject();
        w.WriteNumber("t_ms", step.TimeMs);
        w.WriteString("actor", step.Actor.ToString().ToLowerInvariant());
        w.WriteString("action", step.Action);
        w.WriteStartObject("result");
        var result = step.Result;
        w.WriteBoolean("ok", result.Ok);
        w.WriteNumberOrNull("bytes", result.Bytes);

        w.WriteStringOrNull("socket_error", result.SocketError?.ToString());
        w.WriteNumberOrNull("socket_error_code", result.SocketErrorCode);

        w.WriteNumberOrNull("errno", result.Errno);

        w.WriteStringOrNull("errno_name", result.ErrnoName);
        w.WriteStringOrNull("detail", result.Detail);
        w.WriteEndObject();
        w.WriteString("client_state", step.ClientState.State);
        w.WriteString("server_state", step.ServerState.State);
        w.WriteStartObject("queues");
        w.WriteNumber("client_send", step.ClientState.SendQueue);
        w.WriteNumber("client_receive", step.ClientState.ReceiveQueue);
        w.WriteNumber("server_send", step.ServerState.SendQueue);
        w.WriteNumber("server_receive", step.ServerState.ReceiveQueue);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string SideName(Side side) => side == Side.Client ? "client" : "server";

}
