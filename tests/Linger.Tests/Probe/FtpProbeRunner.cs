using Linger.Probe;
using Linger.Probe.Ftp;
using Linger.Tests.Support;

namespace Linger.Tests.Probe;

/// <summary>Runs <c>linger probe ftp</c>: as the command line does, or as <see cref="FtpProbe"/> in-process against a test server.</summary>
internal static class FtpProbeRunner
{
    /// <summary>Runs <c>linger probe ftp ...</c> in-process, through the same entry point as the executable.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var r = LingerRunner.Run(args);
        return (r.ExitCode, r.Stdout, r.Stderr);
    }

    /// <summary>
    /// Probes <paramref name="server"/> as its user with a 5 s exchange timeout, and whatever <paramref name="change"/>
    /// makes of those options; the whole probe is cancelled after <paramref name="deadline"/>.
    /// </summary>
    public static Task<ProbeReport> ProbeAsync(FtpTestServer server, TimeSpan deadline, Func<FtpProbeOptions, FtpProbeOptions> change) =>
        ProbeAsync(server.Target, server.User, server.Password, deadline, change);

    /// <summary>Probes <paramref name="target"/> as <paramref name="user"/>, as the overload for a test server does.</summary>
    public static async Task<ProbeReport> ProbeAsync(string target, string user, string password, TimeSpan deadline, Func<FtpProbeOptions, FtpProbeOptions> change)
    {
        var options = change(new FtpProbeOptions
        {
            Target = ProbeTarget.Parse(target, 21),
            User = user,
            Password = password,
            Timeout = TimeSpan.FromSeconds(5),
        });
        using var cts = new CancellationTokenSource(deadline);
        return await new FtpProbe(options).RunAsync(new ProbeSession("ftp", options.Target.ToString()), cts.Token);
    }

    /// <summary>The transcript, one line an entry: for an assertion's message.</summary>
    public static string Transcript(ProbeReport report) => string.Join('\n', report.Transcript.Select(t => $"{t.Mark} {t.Text}"));

    /// <summary>The transcript and the server's log: for an assertion's message.</summary>
    public static string Explain(ProbeReport report, FtpTestServer server) => Transcript(report) + "\n--- vsftpd log ---\n" + server.Log;
}
