using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Linger.Tests.Probe.Smtp;

/// <summary>
/// A private postfix (the Debian package) for the SMTP probe's tests, on loopback (free ports) or inside a network
/// namespace (ports 25, 587 and 465 on the namespace's own address; see <see cref="Port25BlockedNetwork"/>).
/// <para>
/// How it runs: a temporary directory holds its own main.cf and master.cf (config_directory), queue, data and mail
/// directories, and a self-signed certificate made here. <c>postfix -c DIR start</c> (through <c>ip netns exec</c> for
/// a namespace) starts its master with three listeners: <see cref="SmtpPort"/> (plain SMTP with STARTTLS),
/// <see cref="SubmissionPort"/> (the same, whose SASL offers AUTH LOGIN only) and <see cref="SmtpsPort"/> (implicit
/// TLS). AUTH is offered only after TLS (smtpd_tls_auth_only).
/// </para>
/// <para>
/// Logging in: postfix's own Cyrus SASL with a private sasldb holding <see cref="User"/> and <see cref="Password"/>.
/// Debian's postfix reads Cyrus's application file (smtpd.conf) from <c>$config_directory/sasl</c> (strace showed it
/// opening that path and ignoring cyrus_sasl_config_path), so the private conf/sasl/smtpd.conf names the private
/// sasldb with <c>sasldb_path</c>; the submission listener names another application file
/// (<c>-o smtpd_sasl_path=submission</c>) whose mech_list is LOGIN alone. Nothing under /etc is read or changed.
/// </para>
/// <para>
/// Mail for <see cref="LocalDomain"/> is accepted from anyone and discarded. Mail for any other domain is relayed only
/// for a logged-in user, and then really delivered, by postfix's virtual(8) agent, into the Maildir under this
/// directory (<see cref="FindDelivered"/>). Everything postfix logs goes to <see cref="MailLog"/>.
/// </para>
/// Dispose runs <c>postfix -c DIR stop</c> (in the namespace, if any), waits up to 10 s for the master to go, kills
/// it and its children by its pid file if it is still there, and removes the directory, so a failed test leaves
/// nothing running.
/// </summary>
public sealed class PostfixServer : IDisposable
{
    public const string LocalDomain = "probe-test.localdomain";

    /// <summary>The SASL user postfix knows (its realm is <see cref="LocalDomain"/>).</summary>
    public const string User = "alice";

    private readonly string _dir;
    private readonly string? _netns;

    /// <summary>On loopback, on free ports.</summary>
    public PostfixServer()
        : this(IPAddress.Loopback, netns: null)
    {
    }

    /// <summary>
    /// On <paramref name="address"/>; with <paramref name="netns"/>, inside that network namespace on ports 25, 587
    /// and 465 (a namespace has its own port space, so they are free there).
    /// </summary>
    internal PostfixServer(IPAddress address, string? netns)
    {
        Address = address;
        _netns = netns;
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

    public IPAddress Address { get; }

    /// <summary>Plain SMTP with STARTTLS; AUTH PLAIN and LOGIN after TLS.</summary>
    public int SmtpPort { get; private set; }

    /// <summary>Plain SMTP with STARTTLS; AUTH LOGIN alone after TLS.</summary>
    public int SubmissionPort { get; private set; }

    /// <summary>Implicit TLS (smtps).</summary>
    public int SmtpsPort { get; private set; }

    /// <summary>The password of <see cref="User"/>, new for every server.</summary>
    public string Password { get; } = "pw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    public string MailLog => Path.Combine(_dir, "maillog");

    /// <summary><c>host:port</c> of one of the listeners, as the probe takes it.</summary>
    public string Target(int port) => string.Create(CultureInfo.InvariantCulture, $"{Address}:{port}");

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

    /// <summary>
    /// Waits (at most 10 s) for the message postfix queued as <paramref name="queueId"/> to be delivered into the
    /// Maildir; the delivered message as a file holds it, or null when it never arrived.
    /// </summary>
    public string? FindDelivered(string queueId)
    {
        var delivered = Path.Combine(_dir, "mail", "Maildir", "new");
        var marker = $" id {queueId}";
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (Directory.Exists(delivered))
            {
                foreach (var file in Directory.EnumerateFiles(delivered))
                {
                    var text = File.ReadAllText(file);
                    if (text.Contains(marker, StringComparison.Ordinal))
                    {
                        return text;
                    }
                }
            }

            Thread.Sleep(100);
        }

        return null;
    }

    public void Dispose()
    {
        var conf = Path.Combine(_dir, "conf");
        if (File.Exists(Path.Combine(conf, "main.cf")))
        {
            Postfix(conf, "stop");
        }

        // postfix stop only signals the master; wait for it to go, and kill it (and its children) if it does not.
        if (MasterPid() is { } pid)
        {
            try
            {
                using var master = Process.GetProcessById(pid);
                if (!master.WaitForExit(10_000))
                {
                    master.Kill(entireProcessTree: true);
                    master.WaitForExit(5000);
                }
            }
            catch (ArgumentException)
            {
                // Already gone: postfix stop did its job.
            }
        }

        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>
    /// The master's pid from its pid file. Read by cat: the running master holds a lock on the file that makes .NET's
    /// own file reads fail.
    /// </summary>
    private int? MasterPid()
    {
        var pidFile = Path.Combine(_dir, "queue", "pid", "master.pid");
        return File.Exists(pidFile) && Run("cat", pidFile) is (0, var text) && int.TryParse(text.Trim(), out var pid) ? pid : null;
    }

    /// <summary>
    /// <c>postfix -c CONF COMMAND</c>, in the namespace when there is one: the postfix command checks that
    /// inet_interfaces are this network's own addresses, and the namespace's are not the host's.
    /// </summary>
    private (int ExitCode, string Output) Postfix(string conf, string command) =>
        _netns is null ? Run("postfix", "-c", conf, command) : Run("ip", "netns", "exec", _netns, "postfix", "-c", conf, command);

    /// <summary>Runs a command (killed after 30 s); its exit code, and what it printed on both streams.</summary>
    internal static (int ExitCode, string Output) Run(string file, params string[] args) => RunWithInput(file, null, args);

    private void Start()
    {
        var inNamespace = _netns is not null;
        SmtpPort = inNamespace ? 25 : FreePort();
        SubmissionPort = inNamespace ? 587 : FreePort();
        SmtpsPort = inNamespace ? 465 : FreePort();
        var conf = Directory.CreateDirectory(Path.Combine(_dir, "conf")).FullName;
        var sasl = Directory.CreateDirectory(Path.Combine(conf, "sasl")).FullName;
        var queue = Directory.CreateDirectory(Path.Combine(_dir, "queue")).FullName;
        var data = Directory.CreateDirectory(Path.Combine(_dir, "data")).FullName;
        var mail = Directory.CreateDirectory(Path.Combine(_dir, "mail")).FullName;
        if (!OperatingSystem.IsWindows())
        {
            // smtpd runs as the postfix user and must reach the files under this directory.
            File.SetUnixFileMode(_dir, (UnixFileMode)Convert.ToInt32("755", 8));
        }

        Check("chown", "postfix", data, mail);
        var (uid, gid) = PostfixIds();

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(Address);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(conf, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(conf, "key.pem"), key.ExportPkcs8PrivateKeyPem());

        // The private password database: saslpasswd2 reads the password from standard input (-p), so it is never
        // on a command line. smtpd (user postfix) reads it.
        var sasldb = Path.Combine(sasl, "sasldb2");
        var created = RunWithInput("saslpasswd2", Password, "-p", "-c", "-f", sasldb, "-u", LocalDomain, User);
        if (created.ExitCode != 0)
        {
            throw new InvalidOperationException($"saslpasswd2 failed: {created.Output}");
        }

        Check("chown", "postfix", sasldb);
        foreach (var (application, mechanisms) in new[] { ("smtpd", "PLAIN LOGIN"), ("submission", "LOGIN") })
        {
            File.WriteAllText(Path.Combine(sasl, $"{application}.conf"), $"""
                pwcheck_method: auxprop
                auxprop_plugin: sasldb
                sasldb_path: {sasldb}
                mech_list: {mechanisms}

                """);
        }

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
            inet_interfaces = {Address}
            inet_protocols = ipv4
            mynetworks = {Address}/32
            maillog_file = {MailLog}
            maillog_file_prefixes = {_dir}
            local_transport = discard
            relay_transport = discard
            default_transport = virtual
            virtual_mailbox_base = {mail}
            virtual_mailbox_domains =
            virtual_mailbox_maps = static:Maildir/
            virtual_uid_maps = static:{uid}
            virtual_gid_maps = static:{gid}
            smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
            smtpd_tls_cert_file = {conf}/cert.pem
            smtpd_tls_key_file = {conf}/key.pem
            smtpd_tls_security_level = may
            smtpd_tls_auth_only = yes
            smtpd_sasl_auth_enable = yes
            smtpd_sasl_local_domain = {LocalDomain}
            smtpd_sasl_authenticated_header = yes

            """);
        File.WriteAllText(Path.Combine(conf, "master.cf"), $"""
            {Address}:{SmtpPort} inet n - n - - smtpd
            {Address}:{SubmissionPort} inet n - n - - smtpd -o smtpd_sasl_path=submission
            {Address}:{SmtpsPort} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
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
            virtual unix - n n - - virtual
            anvil unix - - n - 1 anvil
            scache unix - - n - 1 scache
            postlog unix-dgram n - n - 1 postlogd
            tlsmgr unix - - n 1000? 1 tlsmgr

            """);

        Postfix(conf, "check");
        var start = Postfix(conf, "start");
        if (start.ExitCode != 0)
        {
            throw new InvalidOperationException($"postfix did not start: {start.Output}\nits log:\n{ReadLog()}");
        }

        // Port 25 may be blocked on purpose (Port25BlockedNetwork): the other two listeners show the master is up.
        WaitForListener(SubmissionPort);
        WaitForListener(SmtpsPort);
    }

    /// <summary>The postfix user's uid and gid, for the virtual agent's mailbox owner.</summary>
    private static (string Uid, string Gid) PostfixIds() =>
        (Check("id", "-u", "postfix").Trim(), Check("id", "-g", "postfix").Trim());

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void WaitForListener(int port)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(Address, port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>Runs a command that must succeed; what it printed.</summary>
    internal static string Check(string file, params string[] args)
    {
        var (code, output) = Run(file, args);
        return code == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}): {output}");
    }

    /// <summary>Runs a command (killed after 30 s) with <paramref name="input"/> on its standard input.</summary>
    private static (int ExitCode, string Output) RunWithInput(string file, string? input, params string[] args)
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
        return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }
}
