using System.CommandLine;
using Linger.Cli.Output;
using Linger.Probe;
using Linger.Probe.Http;

namespace Linger.Cli.Probe;

/// <summary>
/// <c>linger probe http URL [--body SIZE] [--insecure]</c>: resolve, connect, TLS, one request and its response; with
/// <c>--body</c> a POST of that size, catching a server that answers early and closes during the upload.
/// </summary>
internal static class ProbeHttpCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout)
    {
        var url = new Argument<string>("url") { Description = "http://HOST[:PORT]/PATH or https://..." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document (schema linger.probe/1) instead of the transcript." };
        var timeout = new Option<string>("--timeout") { Description = "How long resolving, connecting and TLS may each take: 10 (seconds), 10s, 500ms. Default 10s.", DefaultValueFactory = _ => "10s", HelpName = "t" };
        var transfer = new Option<string>("--transfer-timeout") { Description = "How long sending the request and reading the response may each take. Default 60s.", DefaultValueFactory = _ => "60s", HelpName = "t" };
        var body = new Option<string?>("--body") { Description = "Send a POST with a body of this size (1500, 64KB, 10MB, 10MiB) instead of a GET.", HelpName = "size" };
        var insecure = new Option<bool>("--insecure", "-k") { Description = "Go on when the server's certificate is not trusted (the problem is still reported)." };
        var command = new Command("http", "Probe an HTTP or HTTPS server: connect, TLS, request, response; --body SIZE for a large upload. Exit codes: 0 every stage passed (status below 400), 2 usage, 10 resolve, 11 connect, 13 tls, 21 request or response.")
        {
            url, json, timeout, transfer, body, insecure,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            HttpTarget target;
            try
            {
                target = HttpTarget.Parse(parse.GetValue(url) ?? string.Empty);
            }
            catch (FormatException ex)
            {
                throw new UsageException($"bad URL: {ex.Message}");
            }

            long? bytes = null;
            if (parse.GetValue(body) is { } size)
            {
                bytes = ByteSize.TryParse(size, out var b) ? b : throw new UsageException($"--body '{size}' is not a size; write 1500, 64KB, 10MB or 10MiB (at most 1 TB).");
            }

            var options = new HttpProbeOptions
            {
                Target = target,
                BodyBytes = bytes,
                Insecure = parse.GetValue(insecure),
                StepTimeout = ProbeTcpCommand.Duration(parse.GetValue(timeout), "--timeout"),
                TransferTimeout = ProbeTcpCommand.Duration(parse.GetValue(transfer), "--transfer-timeout"),
            };
            return RunAsync(options, parse.GetValue(json), stdout, console, rawStdout, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(HttpProbeOptions options, bool json, TextWriter stdout, ConsoleOptions console, Stream? rawStdout, CancellationToken cancellationToken)
    {
        var output = new ProbeOutput(stdout, console, json);
        var session = new ProbeSession("http", options.Target.Url, output.Line);
        var report = await new HttpProbe(options).RunAsync(session, cancellationToken).ConfigureAwait(false);
        return output.Finish(report, rawStdout);
    }
}
