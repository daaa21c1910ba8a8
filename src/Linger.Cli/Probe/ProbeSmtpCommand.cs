using System.CommandLine;
using System.Globalization;
using System.Text;
using Linger.Cli.Output;
using Linger.Probe;
using Linger.Probe.Smtp;

namespace Linger.Cli.Probe;

/// <summary><c>linger probe smtp HOST[:PORT]</c>: where a conversation with a mail server breaks, and why.</summary>
internal static class ProbeSmtpCommand
{
    private const string DefaultPasswordVariable = "LINGER_SMTP_PASSWORD";

    public static Command Create(TextWriter stdout, TextWriter stderr, ConsoleOptions console, Stream? rawStdout)
    {
        var target = new Argument<string>("target") { Description = "The mail server: host, host:port or [IPv6]:port. Default port 25.", HelpName = "HOST[:PORT]" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document (schema linger.probe/1, see README) instead of the transcript." };
        var timeout = new Option<string>("--timeout") { Description = "How long each stage may take: 10 (seconds), 10s, 500ms, 1m. Default 10s.", DefaultValueFactory = _ => "10s", HelpName = "t" };
        var insecure = new Option<bool>("--insecure", "-k") { Description = "Go on when the server's certificate is not trusted (the problem is still reported)." };
        var ehloName = new Option<string?>("--ehlo-name") { Description = "The name to give in EHLO. Default: this machine's host name.", HelpName = "name" };
        var tls = new Option<string>("--tls") { Description = "auto (implicit TLS on 465, STARTTLS when offered elsewhere), implicit, starttls (required) or none.", DefaultValueFactory = _ => "auto", HelpName = "mode" };
        tls.AcceptOnlyFromAmong("auto", "implicit", "starttls", "none");
        var send = new Option<bool>("--send") { Description = "Send a real test message (needs --from and --to)." };
        var from = new Option<string?>("--from") { Description = "With --send: the sender address.", HelpName = "address" };
        var to = new Option<string?>("--to") { Description = "With --send: the recipient address.", HelpName = "address" };
        var user = new Option<string?>("--user") { Description = "Log in as this user: AUTH PLAIN when offered, else AUTH LOGIN (after STARTTLS when the server offers it).", HelpName = "name" };
        var passwordEnv = new Option<string>("--password-env") { Description = $"The environment variable holding the password. Default {DefaultPasswordVariable}; when it is unset, the password is asked for at the terminal without echo.", DefaultValueFactory = _ => DefaultPasswordVariable, HelpName = "name" };

        var command = new Command("smtp", "Probe a mail server: greeting, EHLO and capabilities, STARTTLS or implicit TLS (by port: 465 implicit, 25/587 STARTTLS), optionally AUTH and a real test message. When port 25 fails, the server's submission ports 587 and 465 are tried, to tell a block of port 25 alone (as providers do) from a server that is down. Prints the conversation and findings; exit code 0 when every stage passed, else the code of the stage that failed (see README).")
        {
            target, json, timeout, insecure, ehloName, tls, send, from, to, user, passwordEnv,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = Options(parse, target, timeout, insecure, ehloName, tls, send, from, to);
            var userName = parse.GetValue(user);
            if (userName is not null)
            {
                Check(userName, "--user");
                options = options with { User = userName, Password = PasswordSource.Read(userName, parse.GetValue(passwordEnv)!, parse.GetResult(passwordEnv) is { Implicit: false }, stderr) };
            }

            var output = new ProbeOutput(stdout, console, parse.GetValue(json));
            var session = new ProbeSession("smtp", options.Target.ToString(), output.Line);
            var report = await new SmtpProbe(options).RunAsync(session, cancellationToken).ConfigureAwait(false);
            return output.Finish(report, rawStdout);
        });
        return command;
    }

    private static SmtpProbeOptions Options(ParseResult parse, Argument<string> target, Option<string> timeout, Option<bool> insecure, Option<string?> ehloName, Option<string> tls, Option<bool> send, Option<string?> from, Option<string?> to)
    {
        ProbeTarget parsed;
        try
        {
            parsed = ProbeTarget.Parse(parse.GetValue(target) ?? string.Empty, 25);
        }
        catch (FormatException e)
        {
            throw new UsageException($"bad target: {e.Message}");
        }

        var timeoutText = parse.GetValue(timeout) ?? "10s";
        if (!Capture.DurationParser.TryParse(timeoutText, out var limit) || limit <= TimeSpan.Zero || limit > TimeSpan.FromHours(1))
        {
            throw new UsageException($"--timeout '{timeoutText}' is not a duration above 0 and at most 1h; write 10, 10s, 500ms or 1m.");
        }


        var sending = parse.GetValue(send);
        var sender = parse.GetValue(from);
        var recipient = parse.GetValue(to);
        if (sending && (sender is null || recipient is null))
        {
            throw new UsageException("--send needs --from ADDRESS and --to ADDRESS.");
        }

        if (!sending && (sender is not null || recipient is not null))
        {
            throw new UsageException("--from and --to go with --send.");
        }

        if (sending)
        {
            Check(sender!, "--from");
            Check(recipient!, "--to");
        }

        var name = parse.GetValue(ehloName) ?? System.Net.Dns.GetHostName();
        Check(name, "--ehlo-name");
        return new SmtpProbeOptions
        {
            Target = parsed,
            Timeout = limit,
            Insecure = parse.GetValue(insecure),
            EhloName = name,
            Tls = parse.GetValue(tls) switch
            {
                "implicit" => SmtpTlsMode.Implicit,
                "starttls" => SmtpTlsMode.StartTls,
                "none" => SmtpTlsMode.None,
                _ => SmtpTlsMode.Auto,
            },
            Send = sending,
            From = sender,
            To = recipient,
        };
    }

    /// <summary>Refuses values that would break an SMTP command line (spaces, angle brackets, line ends).</summary>
    private static void Check(string value, string option)
    {
        if (value.Length is 0 or > 256 || value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '<' or '>'))
        {
            throw new UsageException($"{option} '{value}' cannot go into an SMTP command: give it without spaces, angle brackets or control characters (at most 256 characters).");
        }
    }
}
