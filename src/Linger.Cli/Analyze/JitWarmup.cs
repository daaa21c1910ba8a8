using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Linger.Cli.Analyze;

/// <summary>
/// Compiles the analysis's per-packet and per-conversation methods on a spare thread while the command line is still
/// being parsed. They are marked AggressiveOptimization, so ReadyToRun holds no code for them and each is JIT-compiled,
/// optimised, the first time it runs: without this, the tracking threads and the output thread compile them as they
/// start, one method at a time, while the second core waits. A method that a thread needs while this one compiles it
/// is compiled once, and that thread waits for it.
/// </summary>
/// <remarks>
/// The types are named here, in the order the analysis first needs them (reading and decoding, the sharded analysis,
/// tracking, then output), and looked up one by one: listing every type of Linger.Core to find them took about 14 ms
/// of the warm-up's 86. Only the writer of the output format asked for is compiled (the JSON Lines writer alone took
/// about 13 ms). A test checks the list against every type that has such a method. On the benchmark capture the
/// warm-up takes about 7% off the wall time of <c>linger analyze</c>, and about 10% off a small capture's. The
/// precompiled build (LINGER_PRECOMPILED, <see cref="Compile.Hot"/>) has nothing to warm up and starts no thread.
/// </remarks>
internal static class JitWarmup
{
    // Reflection over Linger's own types: the JIT build keeps them all; the precompiled build neither needs nor has this.
    private const string JitBuildOnly = "Looks up types and methods by reflection; only the JIT build warms up.";

    /// <summary>Linger.Core's types with AggressiveOptimization methods (most are internal to it, hence by name).</summary>
    internal static readonly string[] CoreTypes =
    [
        "Linger.Wire.Files.Internal.PcapReader",
        "Linger.Wire.Decoding.PacketDecoder",
        "Linger.Analysis.Internal.SharedDecoder",
        "Linger.Analysis.Internal.TrackerShard",
        "Linger.Flows.ConversationTracker",
        "Linger.Flows.Internal.ConversationTable",
        "Linger.Flows.Internal.FlowIndex",
        "Linger.Flows.Internal.Conversation",
        "Linger.Flows.Internal.WiresharkAnalysis",
        "Linger.Flows.Internal.ZeekConnection",
        "Linger.Flows.Internal.ResetEvidenceStore",
        "Linger.Flows.Internal.SummaryBuilder",
        "Linger.Flows.Internal.InjectionRule",
        "Linger.Flows.Internal.HistoryStrings",
        "Linger.Flows.Internal.RadixSort",
    ];

    /// <summary>The output's types with such methods that every format uses.</summary>
    internal static readonly Type[] SharedOutputTypes = [typeof(AsciiText), typeof(Utf8Line), typeof(EndpointCounts)];

    /// <summary>Starts the warm-up for <c>linger analyze</c> with these arguments (only its writer is compiled).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The JIT build, which warms up, is not trimmed; the trimmed Native AOT build (LINGER_PRECOMPILED) does not make this call.")]
    public static void Start(IReadOnlyList<string> args)
    {
#if LINGER_PRECOMPILED
        _ = args; // the precompiled build: nothing is left for the JIT
#else
        var format = FormatIn(args);
        new Thread(() => RunQuietly(format)) { IsBackground = true, Name = "linger warm-up" }.Start();
#endif
    }

    /// <summary>Compiles the methods; returns how many.</summary>
    [RequiresUnreferencedCode(JitBuildOnly)]
    internal static int Run(string format)
    {
        var prepared = 0;
        foreach (var method in Methods(format))
        {
            try
            {
                RuntimeHelpers.PrepareMethod(method.MethodHandle);
                prepared++;
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException or TypeLoadException)
            {
                // A method the runtime cannot prepare on its own is compiled when it first runs, as without the warm-up.
            }
        }

        return prepared;
    }

    /// <summary>The methods to compile for an output format, in the order the analysis first needs them.</summary>
    [RequiresUnreferencedCode(JitBuildOnly)]
    internal static IEnumerable<MethodInfo> Methods(string format)
    {
        var core = typeof(Linger.Flows.ConversationTracker).Assembly;
        foreach (var name in CoreTypes)
        {
            if (core.GetType(name) is { } type)
            {
                foreach (var method in WithNested(type).SelectMany(Marked))
                {
                    yield return method;
                }
            }
        }

        foreach (var method in SharedOutputTypes.Append(WriterFor(format)).SelectMany(WithNested).SelectMany(Marked))
        {
            yield return method;
        }
    }

    /// <summary>A type and the types nested in it, at any depth.</summary>
    [RequiresUnreferencedCode(JitBuildOnly)]
    internal static IEnumerable<Type> WithNested(Type type) =>
        type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).Where(t => !t.ContainsGenericParameters).SelectMany(WithNested).Prepend(type);

    /// <summary>The type's own non-generic methods marked AggressiveOptimization.</summary>
    [RequiresUnreferencedCode(JitBuildOnly)]
    internal static IEnumerable<MethodInfo> Marked(Type type)
    {
        const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        return type.GetMethods(Declared).Where(m =>
            !m.ContainsGenericParameters && (m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0);
    }

    /// <summary>The writer of an output format (the table for anything unknown: the command reports that itself).</summary>
    internal static Type WriterFor(string format) => format switch
    {
        "jsonl" => typeof(JsonLinesWriter),
        "zeek" => typeof(ZeekConnLogWriter),
        _ => typeof(TableWriter),
    };

    /// <summary>The value of <c>--format</c> among the arguments (<c>--format X</c>, <c>--format=X</c> or <c>--format:X</c>), or "table".</summary>
    internal static string FormatIn(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--format" && i + 1 < args.Count)
            {
                return args[i + 1];
            }

            if (a.StartsWith("--format=", StringComparison.Ordinal) || a.StartsWith("--format:", StringComparison.Ordinal))
            {
                return a["--format=".Length..];
            }
        }

        return "table";
    }

    [RequiresUnreferencedCode(JitBuildOnly)]
    private static void RunQuietly(string format)
    {
        try
        {
            Run(format);
        }
#pragma warning disable CA1031 // Nothing the warm-up meets may end the process: the analysis compiles what it needs anyway.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
