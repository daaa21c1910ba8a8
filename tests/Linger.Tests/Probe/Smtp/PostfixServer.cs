using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Linger.Tests.Probe.Smtp;

/// <summary>
/// A private postfix (the Debian package) on loopback, for the SMTP probe's tests. How it runs: a temporary directory
/// holds its own main.cf and master.cf (config_directory), queue and data directories, a self-signed certificate made
/// here. <c>postfix -c DIR start</c> starts its master with two listeners on free loopback ports: plain SMTP with
/// STARTTLS (AUTH, through Cyrus SASL, offered only after TLS) and implicit TLS (smtps). Mail for <see cref="LocalDomain"/> is accepted from anyone and discarded; mail for other domains is
/// relayed (to the discard transport) only for a logged-in user. Logging in is not tested here: Debian's Cyrus SASL
/// ignored cyrus_sasl_config_path and looked for /etc/sasldb2, so a private password database was out of reach
/// without changing the machine's /etc; <see cref="SmtpFakeServer"/> checks AUTH instead. Everything it logs goes to <see cref="MailLog"/>.
/// Dispose runs <c>postfix -c DIR stop</c>, kills the master by its pid file if it is still there, and removes the
/// directory, so a failed test leaves nothing running.
/// </summary>
public sealed class PostfixServer : IDisposable
{
    public const string LocalDomain = "probe-test.localdomain";

    private readonly string _dir;

    public PostfixServer()
    {
        _dir = Directory.CreateTempSubdirectory("linger-postfix-").FullName;
        try
        {
            Start();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Plain SMTP with STARTTLS.</summary>
    public int SmtpPort { get; private set; }

    /// <summary>Implicit TLS (smtps).</summary>
    public int SmtpsPort { get; private set; }

    public string MailLog => Path.Combine(_dir, "maillog");

    /// <summary>The mail log so far (postfix writes it through its postlogd service).</summary>
    public string ReadLog() => File.Exists(MailLog) ? File.ReadAllText(MailLog) : string.Empty;

    /// <summary>Waits (at most 10 s) until the log holds <paramref name="text"/>; the log either way.</summary>
    public string WaitForLog(string text)
    {
        var clock = Stopwatch.StartNew();
        var log = ReadLog();
        while (!log.Contains(text, StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(100);
            log = ReadLog();
        }

        return log;
    }

    public void Dispose()
    {
        var conf = Path.Combine(_dir, "conf");
        if (File.Exists(Path.Combine(conf, "main.cf")))
        {
            Run("postfix", "-c", conf, "stop");
        }

        var pidFile = Path.Combine(_dir, "queue", "pid", "master.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try
            {
                using var master = Process.GetProcessById(pid);
                master.Kill(entireProcessTree: true);
                master.WaitForExit(5000);
            }
            catch (ArgumentException)
            {
                // Already gone: postfix stop did its job.
            }
        }

        Directory.Delete(_dir, recursive: true);
    }

    private void Start()
    {
        SmtpPort = FreePort();
        SmtpsPort = FreePort();
        var conf = Directory.CreateDirectory(Path.Combine(_dir, "conf")).FullName;
        var queue = Directory.CreateDirectory(Path.Combine(_dir, "queue")).FullName;
        var data = Directory.CreateDirectory(Path.Combine(_dir, "data")).FullName;
        if (!OperatingSystem.IsWindows())
        {
            // smtpd runs as the postfix user and must reach the files under this directory.
            File.SetUnixFileMode(_dir, (UnixFileMode)Convert.ToInt32("755", 8));
        }
        Run("chown", "postfix", data);

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(conf, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(conf, "key.pem"), key.ExportPkcs8PrivateKeyPem());

        File.WriteAllText(Path.Combine(conf, "main.cf"), $"""
            compatibility_level = 3.6
            queue_directory = {queue}
            data_directory = {data}
            mail_owner = postfix
            setgid_group = postdrop
            myhostname = {LocalDomain}
            mydomain = {LocalDomain}
            mydestination = {LocalDomain}
            local_recipient_maps =
            alias_maps =
            alias_database =
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.1/32
            maillog_file = {MailLog}
            maillog_file_prefixes = {_dir}
            default_transport = discard
            local_transport = discard
            relay_transport = discard
            smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
            smtpd_tls_cert_file = {conf}/cert.pem
            smtpd_tls_key_file = {conf}/key.pem
            smtpd_tls_security_level = may
            smtpd_tls_auth_only = yes
            smtpd_sasl_auth_enable = yes

            """);
        File.WriteAllText(Path.Combine(conf, "master.cf"), $"""
            127.0.0.1:{SmtpPort} inet n - n - - smtpd
            127.0.0.1:{SmtpsPort} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
            pickup unix n - n 60 1 pickup
            cleanup unix n - n - 0 cleanup
            qmgr unix n - n 300 1 qmgr
            rewrite unix - - n - - trivial-rewrite
            bounce unix - - n - 0 bounce
            defer unix - - n - 0 bounce
            trace unix - - n - 0 bounce
            verify unix - - n - 1 verify
            proxymap unix - - n - - proxymap
            showq unix n - n - - showq
            error unix - - n - - error
            retry unix - - n - - error
            discard unix - - n - - discard
            anvil unix - - n - 1 anvil
            scache unix - - n - 1 scache
            postlog unix-dgram n - n - 1 postlogd
            tlsmgr unix - - n 1000? 1 tlsmgr

            """);

        Run("postfix", "-c", conf, "check");
        if (Run("postfix", "-c", conf, "start") != 0)
        {
            throw new InvalidOperationException($"postfix did not start; its log:\n{ReadLog()}");
        }

        WaitForListener(SmtpPort);
        WaitForListener(SmtpsPort);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void WaitForListener(int port)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                Thread.Sleep(100);
            }
        }
    }

    private static int Run(string file, params string[] args) => RunWithInput(file, null, args);

    /// <summary>Runs a command (killed after 30 s) with <paramref name="input"/> on its standard input.</summary>
    private static int RunWithInput(string file, string? input, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        process.StandardInput.Write(input ?? string.Empty);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 30 s");
        }

        process.WaitForExit();
        return process.ExitCode;
    }
}
