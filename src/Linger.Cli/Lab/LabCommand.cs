using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Linger.Cli.Output;
using Linger.Lab;

namespace Linger.Cli.Lab;

/// <summary>
/// <c>linger lab [ID...] [--all] [--list] [--json] [--html FILE] [-o DIR] [--no-capture]</c>: plays the scenario catalogue on this
/// machine's kernel and shows what each side saw, with the packets when run as root.
/// </summary>
internal static class LabCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout)
    {
        var ids = new Argument<string[]>("scenario") { Arity = ArgumentArity.ZeroOrMore, Description = "Scenario ids to run and tell in full (see --list). None: the loopback catalogue as a table." };
        var all = new Option<bool>("--all") { Description = "Add the network-namespace scenarios (Linux, root) to the catalogue." };
        var list = new Option<bool>("--list") { Description = "List the scenarios and exit." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document (schema linger.lab/1, see README) instead of text." };
        var html = new Option<string?>("--html") { Description = "Also write the run as one self-contained HTML page (ladder diagrams, states, calls, verdicts) to FILE.", HelpName = "file" };
        var output = new Option<string?>("--output", "-o") { Description = "Keep each scenario's capture as DIR/ID.pcapng.", HelpName = "dir" };
        var noCapture = new Option<bool>("--no-capture") { Description = "Do not capture packets even when root (no verdicts are checked)." };
        var command = new Command("lab", "Reproduce the ways a TCP connection dies on this machine's kernel, with each side's calls, results and TCP states, and the packets (captured when root). Exit codes: 0 every scenario passed or was skipped, 2 usage error, 3 output folder unusable, 5 a scenario failed.")
        {
            ids, all, list, json, html, output, noCapture,
        };
        command.SetAction(parse =>
        {
            var settings = new Settings(parse.GetValue(ids) ?? [], parse.GetValue(all), parse.GetValue(list), parse.GetValue(json), parse.GetValue(output), parse.GetValue(noCapture), parse.GetValue(html));
            return Run(settings, stdout, stderr, console, rawStdout);
        });
        return command;
    }

    /// <summary>How to start this program again as the lab agent (a separate process for one side of a scenario).</summary>
    public static ProcessStartInfo AgentStart()
    {
        var process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "linger")
        {
            return new ProcessStartInfo(process) { ArgumentList = { "lab-agent" } };
        }

        var host = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
        return new ProcessStartInfo(host) { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "linger.dll"), "lab-agent" } };
    }

    private static void WriteJson(TextWriter stdout, Stream? rawStdout, Action<Stream> write)
    {
        stdout.Flush();
        if (rawStdout is not null)
        {
            write(rawStdout);
            rawStdout.Flush();
            return;
        }

        using var buffer = new MemoryStream();
        write(buffer);
        stdout.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private sealed record Settings(string[] Ids, bool All, bool List, bool Json, string? Output, bool NoCapture, string? Html = null);

    private static int Run(Settings s, TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout)
    {
        if (s.List)
        {
            if (s.Json)
            {
                WriteJson(stdout, rawStdout, stream => LabJson.WriteList(stream, ScenarioCatalog.All));
            }
            else
            {
                LabTable.WriteList(stdout, ScenarioCatalog.All);
            }

            return ExitCodes.Ok;
        }

        var scenarios = new List<Scenario>();
        foreach (var id in s.Ids)
        {
            scenarios.Add(ScenarioCatalog.Find(id)
                ?? throw new UsageException($"there is no scenario '{id}'; 'linger lab --list' shows them all."));
        }

        if (scenarios.Count == 0)
        {
            foreach (var scenario in ScenarioCatalog.All)
            {
                if (s.All || scenario.Place == ScenarioPlace.Loopback)
                {
                    scenarios.Add(scenario);
                }
            }
        }

        string? directory = null;
        if (s.Output is not null)
        {
            try
            {
                directory = Directory.CreateDirectory(s.Output).FullName;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                stderr.WriteLine($"linger: cannot use '{s.Output}' for captures: {ex.Message}");
                return ExitCodes.Input;
            }
        }

        if (s.Html is not null && Html.LabHtmlReport.Unwritable(s.Html) is { } why)
        {
            stderr.WriteLine($"linger: cannot write the report to '{s.Html}': {why}");
            return ExitCodes.Input;
        }

        var defaults = new LabEnvironment();
        var environment = defaults with
        {
            CapturePackets = defaults.CapturePackets && !s.NoCapture,
            CaptureDirectory = directory,
            AgentStart = AgentStart,
        };
        if (s.Output is not null && !environment.CapturePackets)
        {
            stderr.WriteLine("linger: -o keeps captures, but packets are captured only as root (and without --no-capture).");
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        void Handle(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        var tell = s.Ids.Length > 0 && !s.Json;
        var table = !tell && !s.Json ? new LabTable(stdout, console) : null;
        if (table is not null && !environment.CapturePackets)
        {
            stdout.WriteLine(environment.IsRoot ? "Packets are not captured (--no-capture): verdicts are not checked." : "Not root: packets are not captured and verdicts not checked (run with sudo to see them).");
        }

        table?.WriteHeader();
        var runner = new LabRunner(environment);
        var progress = new ProgressLine(stderr, console);
        var results = new List<ScenarioResult>();
        try
        {
            for (var i = 0; i < scenarios.Count; i++)
            {
                progress.Report($"{scenarios[i].Id} ({i + 1}/{scenarios.Count})", i, scenarios.Count);
                var result = runner.RunAsync(scenarios[i], stop.Token).GetAwaiter().GetResult();
                progress.Clear();
                results.Add(result);
                table?.WriteRow(result);
                if (tell)
                {
                    if (results.Count > 1)
                    {
                        stdout.WriteLine();
                        stdout.WriteLine(new string('─', Math.Min(console.Width, 80)));
                    }

                    LabStory.Write(stdout, result, console);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            progress.Clear();
            stderr.WriteLine("linger: interrupted; the running scenario was stopped and cleaned up.");
            return 130;
        }

        if (s.Json)
        {
            WriteJson(stdout, rawStdout, stream => LabJson.Write(stream, results));
        }

        table?.WriteFooter(results);
        if (s.Html is not null && !Html.LabHtmlReport.TryWriteFile(s.Html, results, s.Json ? stderr : stdout, stderr))
        {
            return ExitCodes.Input;
        }

        return results.Exists(r => r.Status == ScenarioStatus.Failed) ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
