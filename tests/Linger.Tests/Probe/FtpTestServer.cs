using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Linger.Tests.Probe;

/// <summary>
/// A real vsftpd (Debian package) for one test. How it runs: a local user <c>lgrftp&lt;pid&gt;&lt;n&gt;</c> is created
/// with <c>useradd -m</c> and a random password (<c>chpasswd</c>); a config file in a temp directory sets
/// <c>listen=YES</c>, <c>background=NO</c> (so the process we start is the daemon), the given address and a free
/// port, a passive port range, write access, plus the test's own lines; vsftpd is started with that file as its
/// only argument (optionally inside a network namespace with <c>ip netns exec</c>, which execs it). It is ready when
/// it accepts a connection. Dispose kills the daemon and its session processes (by process id), then removes the
/// user, its home and the temp directory; the test class disposes it in a finally, so a failing test still stops it.
/// </summary>
public sealed class FtpTestServer : IDisposable
{
    private static int _serial;
    private readonly Process _process;
    private readonly string _directory;
    private bool _disposed;

    private FtpTestServer(Process process, string directory, string user, string password, string home, IPAddress address, int port, int passiveMin, int passiveMax)
    {
        _process = process;
        _directory = directory;
        User = user;
        Password = password;
        Home = home;
        Address = address;
        Port = port;
        PassiveMin = passiveMin;
        PassiveMax = passiveMax;
    }

    public string User { get; }

    public string Password { get; }

    /// <summary>The user's home: where uploads land.</summary>
    public string Home { get; }

    public IPAddress Address { get; }

    public int Port { get; }

    public int PassiveMin { get; }

    public int PassiveMax { get; }

    /// <summary>host:port as the probe takes it.</summary>
    public string Target => $"{Address}:{Port}";

    /// <summary>The daemon's process id (its session processes are its children).</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts vsftpd on <paramref name="address"/> (127.0.0.1 by default) with <paramref name="extraConfig"/> lines
    /// appended; <paramref name="netns"/> runs it inside that network namespace.
    /// </summary>
    public static FtpTestServer Start(IEnumerable<string>? extraConfig = null, IPAddress? address = null, string? netns = null)
    {
        address ??= IPAddress.Loopback;
        var n = Interlocked.Increment(ref _serial);
        var user = string.Create(CultureInfo.InvariantCulture, $"lgrftp{Environment.ProcessId}x{n}");
        var password = "Pw-" + Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
        var directory = Directory.CreateTempSubdirectory("linger-vsftpd-").FullName;
        Run("useradd", "-m", "-s", "/bin/bash", user);
        try
        {
            RunWithInput($"{user}:{password}\n", "chpasswd");
            var home = $"/home/{user}";
            var port = netns is null ? FreePort() : 2100 + (Environment.ProcessId % 1000);
            var passiveMin = netns is null ? FreePort() : 40000 + (Environment.ProcessId % 1000) * 10;
            var passiveMax = passiveMin + 4;
            Directory.CreateDirectory("/var/run/vsftpd/empty");
            var config = new List<string>
            {
                "listen=YES", "listen_ipv6=NO", $"listen_address={address}", $"listen_port={port}", "background=NO",
                "anonymous_enable=NO", "local_enable=YES", "write_enable=YES", "local_umask=022",
                "pasv_enable=YES", $"pasv_min_port={passiveMin}", $"pasv_max_port={passiveMax}",
                "port_enable=YES", "connect_from_port_20=NO",
                // Containers and CI runners refuse vsftpd's own sandboxing (seccomp, new network namespaces per session).
                "seccomp_sandbox=NO", "isolate=NO", "isolate_network=NO",
                "pam_service_name=vsftpd", "secure_chroot_dir=/var/run/vsftpd/empty",
                "xferlog_enable=YES", $"vsftpd_log_file={directory}/vsftpd.log", "dual_log_enable=YES", $"xferlog_file={directory}/xfer.log",
            };
            config.AddRange(extraConfig ?? []);
            var configPath = Path.Combine(directory, "vsftpd.conf");
            File.WriteAllLines(configPath, config);

            var psi = netns is null ? new ProcessStartInfo("vsftpd") : new ProcessStartInfo("ip");
            if (netns is not null)
            {
                foreach (var a in (string[])["netns", "exec", netns, "vsftpd"])
                {
                    psi.ArgumentList.Add(a);
                }
            }

            psi.ArgumentList.Add(configPath);
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            var process = Process.Start(psi) ?? throw new InvalidOperationException("vsftpd did not start");
            var server = new FtpTestServer(process, directory, user, password, home, address, port, passiveMin, passiveMax);
            try
            {
                server.WaitUntilListening(netns);
            }
            catch
            {
                server.Dispose();
                throw;
            }

            return server;
        }
        catch
        {
            Run("userdel", "-r", "-f", user);
            Directory.Delete(directory, true);
            throw;
        }
    }

    /// <summary>vsftpd's log (logins, transfers), for failure messages.</summary>
    public string Log => File.Exists(Path.Combine(_directory, "vsftpd.log")) ? File.ReadAllText(Path.Combine(_directory, "vsftpd.log")) : string.Empty;

    /// <summary>The session processes vsftpd forked for connected clients (children and grandchildren of the daemon).</summary>
    public IReadOnlyList<int> SessionProcesses()
    {
        var found = new List<int>();
        var queue = new Queue<int>([_process.Id]);
        while (queue.Count > 0 && found.Count < 1000)
        {
            var pid = queue.Dequeue();
            var path = $"/proc/{pid}/task/{pid}/children";
            if (!File.Exists(path))
            {
                continue;
            }

            foreach (var child in File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var id = int.Parse(child, CultureInfo.InvariantCulture);
                found.Add(id);
                queue.Enqueue(id);
            }
        }

        return found;
    }

    /// <summary>Kills the daemon and every session process (SIGKILL): the server dies mid-whatever.</summary>
    public void Kill()
    {
        foreach (var pid in SessionProcesses())
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Kill();
        }
        finally
        {
            _process.Dispose();
            Run("userdel", "-r", "-f", User);
            Directory.Delete(_directory, true);
        }
    }

    private void WaitUntilListening(string? netns)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"vsftpd exited with {_process.ExitCode}: {_process.StandardOutput.ReadToEnd()} {_process.StandardError.ReadToEnd()}");
            }

            if (netns is null)
            {
                try
                {
                    using var probe = new TcpClient();
                    probe.Connect(Address, Port);
                    return;
                }
                catch (SocketException)
                {
                    Thread.Sleep(50);
                }
            }
            else
            {
                // Inside a namespace the test may not route to it yet; ask the namespace's own socket table.
                var ss = Capture("ip", "netns", "exec", netns, "ss", "-ltnH", $"sport = :{Port}");
                if (ss.Contains("LISTEN", StringComparison.Ordinal))
                {
                    return;
                }

                Thread.Sleep(50);
            }
        }

        throw new TimeoutException($"vsftpd did not listen on {Target} within 10 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static void Run(string file, params string[] args) => Capture(file, args);

    internal static string Capture(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(15000))
        {
            p.Kill(true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 15 s");
        }

        return output.Result + error.Result;
    }

    private static void RunWithInput(string input, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Write(input);
        p.StandardInput.Close();
        if (!p.WaitForExit(15000) || p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {p.StandardError.ReadToEnd()}");
        }
    }
}
