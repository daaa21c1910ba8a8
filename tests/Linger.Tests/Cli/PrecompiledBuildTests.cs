using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Linger.Tests.Support;

namespace Linger.Tests.Cli;

/// <summary>Publishing the release build takes both cores for a minute or more: alone, after the other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PrecompiledBuildGroup
{
    public const string Name = "precompiled build";
}

/// <summary>
/// The build users install on Linux x64 (<c>dotnet publish -r linux-x64</c>, the linux-x64 tool package: Native AOT):
/// published here as a release is, then run beside the JIT build the other tests use. It must say exactly what the JIT
/// build says, with no JIT at all.
/// </summary>
[Collection(PrecompiledBuildGroup.Name)]
public sealed class PrecompiledBuildTests(PrecompiledBuildTests.Published published) : IClassFixture<PrecompiledBuildTests.Published>
{
    // Types whose methods run per packet or per conversation (Compile.Hot): the JIT build compiles them as they run.
    private static readonly string[] PerPacketTypes =
    [
        "Linger.Flows.ConversationTracker:", "Linger.Flows.Internal.Conversation:", "Linger.Flows.Internal.ZeekConnection:",
        "Linger.Flows.Internal.WiresharkAnalysis:", "Linger.Wire.Decoding.PacketDecoder:", "Linger.Analysis.Internal.TrackerShard:",
    ];

    [LinuxX64Fact]
    public void It_is_one_native_executable_with_no_runtime_or_JIT_beside_it()
    {
        var dir = published.Directory;
        var executable = Path.Combine(dir, "linger");
        Assert.True(File.Exists(executable), "the executable");
        var head = new byte[4];
        using (var file = File.OpenRead(executable))
        {
            file.ReadExactly(head);
        }

        Assert.Equal("\u007fELF"u8.ToArray(), head);
        Assert.True(new FileInfo(executable).Length > 5_000_000, "linger, the runtime and the libraries' code it uses, in one file");
        foreach (var name in (string[])["linger.dll", "Linger.Core.dll", "libcoreclr.so", "libclrjit.so", "linger.runtimeconfig.json", "System.Private.CoreLib.dll"])
        {
            Assert.False(File.Exists(Path.Combine(dir, name)), $"{name} beside it: not the Native AOT build");
        }
    }

    [LinuxX64Fact]
    public async Task It_reports_every_conversation_exactly_as_the_JIT_build_does()
    {
        using var temp = new TempDirectory("linger-precompiled-");
        var capture = MixedCapture.Write(Path.Combine(temp.Path, "mixed.pcap"), 3000, seed: 8);

        foreach (var format in (string[])["table", "jsonl", "zeek"])
        {
            var precompiled = await published.RunAsync(null, "analyze", capture, "--format", format);
            var jit = await RunJitAsync(null, "analyze", capture, "--format", format);
            Assert.Equal(0, precompiled.ExitCode);
            Assert.Equal(0, jit.ExitCode);
            Assert.True(jit.Stdout.Length > 100_000, $"{format}: the JIT build printed {jit.Stdout.Length} characters");
            Assert.Equal(OutputText.WithoutTiming(jit.Stdout), OutputText.WithoutTiming(precompiled.Stdout));
        }

        var explainPrecompiled = await published.RunAsync(null, "explain", "10054", "--json");
        var explainJit = await RunJitAsync(null, "explain", "10054", "--json");
        Assert.Equal(explainJit.Stdout, explainPrecompiled.Stdout);
    }

    [LinuxX64Fact]
    public async Task It_compiles_nothing_as_it_runs_where_the_JIT_build_compiles_the_per_packet_methods()
    {
        using var temp = new TempDirectory("linger-precompiled-");
        var capture = MixedCapture.Write(Path.Combine(temp.Path, "mixed.pcap"), 500, seed: 9);
        var jitList = Path.Combine(temp.Path, "jit.txt");
        var precompiledList = Path.Combine(temp.Path, "precompiled.txt");

        var jit = await RunJitAsync(JitListing(jitList), "analyze", capture);
        var precompiled = await published.RunAsync(JitListing(precompiledList), "analyze", capture);

        // The JIT build lists what it compiles (so the check can see), the native build has no JIT to list anything.
        Assert.Equal(0, jit.ExitCode);
        Assert.Equal(0, precompiled.ExitCode);
        Assert.Contains(File.ReadAllLines(jitList), m => m.Contains("JIT compiled", StringComparison.Ordinal) && PerPacketTypes.Any(m.Contains));
        Assert.False(File.Exists(precompiledList), "the native build compiled something as it ran");
    }

    [LinuxX64Fact]
    public async Task Its_lab_starts_its_agents_from_the_same_executable()
    {
        // The lab runs each scenario's sides as separate processes: the native build starts itself again.
        var result = await published.RunAsync(null, "lab", "process-crash", "peer-restart-stale-connection", "--no-capture", "--json");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        using var json = JsonDocument.Parse(result.Stdout);
        var scenarios = json.RootElement.GetProperty("scenarios").EnumerateArray().ToList();
        Assert.Equal(2, scenarios.Count);
        Assert.All(scenarios, s => Assert.Equal("passed", s.GetProperty("status").GetString()));
    }

    [LinuxX64Fact]
    public async Task A_framework_dependent_publish_after_it_runs_and_reports_the_same()
    {
        // The same project, RID and configuration, after the self-contained publish: the SDK must not take that
        // build's precompiled files for this one's (they abort at start).
        using var temp = new TempDirectory("linger-precompiled-");
        var output = Path.Combine(temp.Path, "fd");
        var publish = await Published.PublishAsync(output, "--self-contained", "false");
        Assert.True(publish.ExitCode == 0, publish.Stdout + publish.Stderr);
        Assert.False(File.Exists(Path.Combine(output, "libcoreclr.so")), "framework-dependent: no runtime of its own");

        var capture = MixedCapture.Write(Path.Combine(temp.Path, "mixed.pcap"), 500, seed: 10);
        var framework = await LingerRunner.RunAsync(LingerRunner.StartInfo(("dotnet", [Path.Combine(output, "linger.dll"), "analyze", capture, "--format", "jsonl"])), null);
        var jit = await RunJitAsync(null, "analyze", capture, "--format", "jsonl");
        Assert.True(framework.ExitCode == 0, $"exit {framework.ExitCode}: {framework.Stderr}");
        Assert.Equal(jit.Stdout, framework.Stdout);
    }

    [LinuxX64Fact]
    public async Task The_tool_packages_pack_as_the_README_says_and_the_installed_tool_is_the_native_build()
    {
        using var temp = new TempDirectory("linger-pack-");
        var feed = Path.Combine(temp.Path, "nupkg");
        foreach (var rid in (string?[])[null, "linux-x64", "any"])
        {
            var pack = await Published.DotnetAsync(["pack", Published.Project, "-c", "Release", "-o", feed, "-nologo", "-v", "quiet", .. rid is null ? Array.Empty<string>() : ["-r", rid]]);
            Assert.True(pack.ExitCode == 0, $"dotnet pack {rid}: {pack.Stdout}{pack.Stderr}");
        }

        Assert.Equal(
            ["Linger.Tool.0.1.0.nupkg", "Linger.Tool.any.0.1.0.nupkg", "Linger.Tool.linux-x64.0.1.0.nupkg"],
            Directory.GetFiles(feed).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using (var native = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, "Linger.Tool.linux-x64.0.1.0.nupkg")))
        {
            var names = native.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("tools/any/linux-x64/linger", names);
            Assert.DoesNotContain(names, n => n.EndsWith("libcoreclr.so", StringComparison.Ordinal) || n.EndsWith("System.Private.CoreLib.dll", StringComparison.Ordinal));
        }

        var tools = Path.Combine(temp.Path, "tools");
        var install = await Published.DotnetAsync(["tool", "install", "Linger.Tool", "--tool-path", tools, "--add-source", feed]);
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
        var explain = await LingerRunner.RunAsync(LingerRunner.StartInfo((Path.Combine(tools, "linger"), ["explain", "10054"])), null);
        Assert.Equal(0, explain.ExitCode);
        Assert.Contains("WSAECONNRESET", explain.Stdout, StringComparison.Ordinal);
        var head = new byte[4];
        using (var file = File.OpenRead(new FileInfo(Path.Combine(tools, "linger")).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.Combine(tools, "linger")))
        {
            file.ReadExactly(head);
        }

        Assert.Equal("\u007fELF"u8.ToArray(), head);
        Assert.DoesNotContain(Directory.EnumerateFiles(tools, "*", SearchOption.AllDirectories), f => f.EndsWith("libcoreclr.so", StringComparison.Ordinal));
    }

    /// <summary>The JIT build beside the tests, whatever LINGER_TEST_EXECUTABLE says.</summary>
    private static Task<LingerRunner.Result> RunJitAsync(IDictionary<string, string>? environment, params string[] args) =>
        LingerRunner.RunAsync(LingerRunner.StartInfo(LingerRunner.JitCommand(args)), environment);

    private static Dictionary<string, string> JitListing(string path) =>
        new() { ["DOTNET_JitStdOutFile"] = path, ["DOTNET_JitDisasmSummary"] = "1" };

    /// <summary>The release build, published once for the class into a temporary directory.</summary>
    public sealed class Published : IAsyncLifetime, IDisposable
    {
        private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);
        private readonly TempDirectory _dir = new("linger-precompiled-");

        public async Task InitializeAsync()
        {
            if (!LinuxX64FactAttribute.Applies)
            {
                return;
            }

            var result = await PublishAsync(Directory);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet publish -r linux-x64 failed ({result.ExitCode}):\n{result.Stdout}\n{result.Stderr}");
            }
        }

        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose() => _dir.Dispose();

        public string Directory => _dir.Path;

        /// <summary>src/Linger.Cli/Linger.Cli.csproj.</summary>
        public static string Project => Path.Combine(RepositoryRoot(), "src", "Linger.Cli", "Linger.Cli.csproj");

        /// <summary><c>dotnet publish src/Linger.Cli -c Release -r linux-x64 -o OUTPUT</c>, with more arguments.</summary>
        public static Task<LingerRunner.Result> PublishAsync(string output, params string[] more) =>
            DotnetAsync(["publish", Project, "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo", "-v", "quiet", .. more]);

        /// <summary><c>dotnet ARGS</c>, given up to 15 minutes (a Native AOT compilation takes one or two).</summary>
        public static async Task<LingerRunner.Result> DotnetAsync(string[] args)
        {
            return await LingerRunner.RunAsync(LingerRunner.StartInfo(("dotnet", args)), null, PublishTimeout);
        }

        /// <summary>Runs the published executable, as the installed tool runs.</summary>
        public Task<LingerRunner.Result> RunAsync(IDictionary<string, string>? environment, params string[] args)
        {
            var psi = new ProcessStartInfo(Path.Combine(Directory, "linger"));
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            return LingerRunner.RunAsync(psi, environment);
        }

        private static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Linger.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"no Linger.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>A fact about the linux-x64 release build; reported as skipped (with the reason) elsewhere.</summary>
    public sealed class LinuxX64FactAttribute : FactAttribute
    {
        public LinuxX64FactAttribute()
        {
            if (!Applies)
            {
                Skip = "The precompiled release build is published for linux-x64; this machine is not Linux on x64.";
            }
        }

        public static bool Applies => OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64;
    }
}
