using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Linger.Probe.Ftp;

/// <summary>
/// The concurrency stage: opens <see cref="FtpProbeOptions.Concurrency"/> sessions at once (the probe's own counts as
/// one), each logging in, and holds them all until every answer is in, to find where the server starts refusing
/// (vsftpd: 421 "There are too many connected users"; others close right after accepting).
/// </summary>
internal sealed class FtpSessionLimit(ProbeSession session, FtpProbeOptions options, IPEndPoint server)
{
    private enum Outcome
    {
        LoggedIn,
        Refused421,
        ClosedAtOnce,
        Failed,
    }

    /// <summary>Runs the stage: passes when every session logged in.</summary>
    public async Task<StageOutcome> RunAsync(CancellationToken ct)
    {
        var extra = options.Concurrency - 1;
        session.Info(string.Create(CultureInfo.InvariantCulture, $"opening {extra} more sessions at once (with the probe's own: {options.Concurrency})"));
        var connections = new LineConnection?[extra];
        try
        {
            var results = await Task.WhenAll(Enumerable.Range(0, extra).Select(i => OpenAsync(i, connections, ct))).ConfigureAwait(false);
            var loggedIn = results.Count(r => r.Outcome == Outcome.LoggedIn);
            for (var i = 0; i < results.Length; i++)
            {
                var line = string.Create(CultureInfo.InvariantCulture, $"session {i + 2}: {results[i].Text}");
                if (results[i].Outcome == Outcome.LoggedIn)
                {
                    session.Info(line);
                }
                else
                {
                    session.Error(line);
                }
            }

            var summary = string.Create(CultureInfo.InvariantCulture, $"{loggedIn + 1} of {options.Concurrency} sessions logged in at once");
            var refused = results.FirstOrDefault(r => r.Outcome is Outcome.Refused421 or Outcome.ClosedAtOnce);
            if (refused.Text is not null)
            {
                session.Find("too-many-connections", "concurrency",
                    string.Create(CultureInfo.InvariantCulture, $"The server takes {loggedIn + 1} sessions at once from this address and refuses more: \"{refused.Text}\". A client opening parallel transfers (FileZilla's default is 2 plus the browsing session) meets this limit."),
                    "too-many-connections", refused.Outcome == Outcome.Refused421 ? "421" : null);
                return StageOutcome.Fail($"{summary}; the server refused the rest", received: refused.Text);
            }

            var failed = results.FirstOrDefault(r => r.Outcome == Outcome.Failed);
            return failed.Text is null ? StageOutcome.Pass(received: summary) : StageOutcome.Fail($"{summary}; {failed.Text}");
        }
        finally
        {
            foreach (var connection in connections)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private async Task<(Outcome Outcome, string Text)> OpenAsync(int index, LineConnection?[] connections, CancellationToken ct)
    {
        // Each extra session keeps its own transcript: interleaved, they would bury the main one.
        var quiet = new ProbeSession("ftp", session.Target);
        if (options.Password is { } password)
        {
            quiet.AddSecret(password, options.User);
        }

        try
        {
            var connection = await LineConnection.ConnectAsync(quiet, server, ct).ConfigureAwait(false);
            connections[index] = connection;
            var control = new FtpControl(connection);
            var banner = await connection.ReadReplyAsync(ct).ConfigureAwait(false);
            if (banner is null)
            {
                return (Outcome.ClosedAtOnce, "the server closed the connection without a greeting");
            }

            if (banner.Code != 220)
            {
                return (banner.Code == 421 ? Outcome.Refused421 : Outcome.Failed, banner.Text);
            }

            var user = await control.CommandAsync($"USER {options.User ?? "anonymous"}", ct).ConfigureAwait(false);
            var reply = user.Code == 331 ? await control.CommandAsync($"PASS {options.Password ?? "linger@"}", ct, "PASS <redacted>").ConfigureAwait(false) : user;
            return reply.Code is 230 or 202
                ? (Outcome.LoggedIn, reply.Text)
                : (reply.Code == 421 ? Outcome.Refused421 : Outcome.Failed, quiet.Redact(reply.Text));
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return (e is FtpControlClosedException ? Outcome.ClosedAtOnce : Outcome.Failed, quiet.Redact(e.Message));
        }
    }
}
