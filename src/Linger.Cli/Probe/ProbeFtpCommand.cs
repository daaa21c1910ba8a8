using System.CommandLine;
using System.Globalization;
using System.Text;
using Linger.Cli.Output;
using Linger.Probe;
using Linger.Probe.Ftp;
using Linger.Probe.Http;

namespace Linger.Cli.Probe;

/// <summary>
/// <c>linger probe ftp HOST[:PORT] [--user NAME] [--active] [--size N] [--concurrency N] [--tls] [--insecure] [--hold T] [--stall T]</c>:
/// logs in, opens data connections in every mode, sends and reads back a test file, and says where it broke.
/// </summary>
internal static class ProbeFtpCommand
{
    private const string DefaultPasswordVariable = "LINGER_FTP_PASSWORD";

    public static Command Create(TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout)
    {
        var target = new Argument<string>("target") { Description = "The FTP server: host, host:port or [v6]:port (port 21 by default)." };
        var user = new Option<string?>("--user", "-u") { Description = "Log in as this user (default: anonymous).", HelpName = "name" };
        var passwordEnv = new Option<string>("--password-env") { Description = $"The environment variable holding the password (default {DefaultPasswordVariable}); when unset, the password is asked for without echo.", DefaultValueFactory = _ => DefaultPasswordVariable, HelpName = "name" };
        var active = new Option<bool>("--active") { Description = "Also try active mode (PORT and EPRT): the server connects back to this machine." };
        var size = new Option<string>("--size") { Description = "Size of the test file uploaded, downloaded and deleted: 4MB (default), 512KB, 1GB at most, 0 to skip.", DefaultValueFactory = _ => "4MB", HelpName = "bytes" };
        var concurrency = new Option<int>("--concurrency") { Description = "Open this many sessions at once to find the server's limit (default 1: no test).", DefaultValueFactory = _ => 1, HelpName = "n" };
        var tls = new Option<bool>("--tls") { Description = "Explicit FTPS: AUTH TLS, then PBSZ 0 and PROT P (data in TLS too, resuming the control connection's TLS session, which needs the server's host name rather than its address)." };
        var insecure = new Option<bool>("--insecure", "-k") { Description = "Go on when the certificate is not trusted (the problem is still reported)." };
        var hold = new Option<string?>("--hold") { Description = "After login, keep the control connection idle this long (30s, 5m), then go on; reports whether and how the server ended it (421, FIN, RST).", HelpName = "t" };
        var stall = new Option<string?>("--stall") { Description = "Pause the upload halfway this long (30s, 5m), as a slowed or suspended client does; reports whether the server's data timeout ends it.", HelpName = "t" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document (schema linger.probe/1) instead of the transcript." };
        var timeout = new Option<string>("--timeout") { Description = "How long each exchange may wait: 10s (default), 500ms, 1m. A transfer may go this long without progress.", DefaultValueFactory = _ => "10s", HelpName = "t" };

        var command = new Command("ftp", "Probe an FTP server: control connection, login, SYST/FEAT, an idle hold (--hold), PASV and EPSV (PORT/EPRT with --active), LIST, an upload (paused with --stall) and download checked byte for byte, the session limit, FTPS. Exit 0 when every stage passed, else the code of the stage that failed.")
        {
            target, user, passwordEnv, active, size, concurrency, tls, insecure, hold, stall, json, timeout,
        };
        command.SetAction((parse, ct) =>
        {
            var text = parse.GetValue(target) ?? string.Empty;
            ProbeTarget parsed;
            try
            {
                parsed = ProbeTarget.Parse(text, 21);
            }
            catch (FormatException e)
            {
                throw new UsageException($"bad target: {e.Message}");
            }

            var limit = ProbeTcpCommand.Duration(parse.GetValue(timeout), "--timeout");
            var bytes = ParseSize(parse.GetValue(size) ?? "4MB");
            if (bytes == 0 && parse.GetValue(stall) is not null)
            {
                throw new UsageException("--stall pauses the upload, and --size 0 skips it; give a --size other than 0.");
            }

            var sessions = parse.GetValue(concurrency);
            if (sessions is < 1 or > FtpProbeOptions.MaxConcurrency)
            {
                throw new UsageException($"--concurrency must be between 1 and {FtpProbeOptions.MaxConcurrency}.");
            }

            var name = parse.GetValue(user);
            string? password = null;
            if (name is not null)
            {
                var variable = parse.GetValue(passwordEnv) ?? DefaultPasswordVariable;
                password = PasswordSource.Read(name, variable, parse.GetResult(passwordEnv) is { Implicit: false }, stderr);
            }

            var options = new FtpProbeOptions
            {
                Target = parsed,
                User = name,
                Password = password,
                Active = parse.GetValue(active),
                Size = bytes,
                Concurrency = sessions,
                Tls = parse.GetValue(tls),
                Insecure = parse.GetValue(insecure),
                Timeout = limit,
                Hold = parse.GetValue(hold) is { } h ? ProbeTcpCommand.Duration(h, "--hold") : null,
                Stall = parse.GetValue(stall) is { } st ? ProbeTcpCommand.Duration(st, "--stall") : null,
            };
            return RunAsync(options, text, parse.GetValue(json), stdout, console, rawStdout, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(FtpProbeOptions options, string target, bool json, TextWriter stdout, ConsoleOptions console, Stream? rawStdout, CancellationToken ct)
    {
        var output = new ProbeOutput(stdout, console, json);
        var session = new ProbeSession("ftp", target, output.Line);
        var report = await new FtpProbe(options).RunAsync(session, ct).ConfigureAwait(false);
        return output.Finish(report, rawStdout);
    }

    /// <summary>Reads a size as <c>linger probe http --body</c> does (<see cref="ByteSize"/>), or 0 to skip the transfer.</summary>
    internal static long ParseSize(string text)
    {
        if (text.Trim() == "0")
        {
            return 0;
        }

        if (!ByteSize.TryParse(text, out var bytes) || bytes > FtpProbeOptions.MaxSize)
        {
            throw new UsageException($"--size '{text}' is not a size from 0 to 1GiB; write 4MB, 512KB, 1MiB or a number of bytes.");
        }

        return bytes;
    }
}
