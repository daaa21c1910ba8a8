using System.Runtime.CompilerServices;

namespace Linger;

/// <summary>How the analysis's per-packet and per-conversation methods are compiled.</summary>
internal static class Compile
{
    /// <summary>
    /// <c>[MethodImpl(Compile.Hot)]</c> marks a method that runs per packet or per conversation.
    /// </summary>
    /// <remarks>
    /// In an ordinary build it is <see cref="MethodImplOptions.AggressiveOptimization"/>: the JIT compiles the method
    /// optimised the first time it runs, instead of starting with unoptimised code that is replaced only after many
    /// calls (a run over a large capture was 55% slower without it). The precompiled release build (the linux-x64 tool,
    /// <c>dotnet publish -r linux-x64</c>: Native AOT, see Linger.Cli.csproj) defines LINGER_PRECOMPILED and has no
    /// such flag: it has no JIT, and every method is compiled ahead of time, optimised, like the rest.
    /// </remarks>
#if LINGER_PRECOMPILED
    public const MethodImplOptions Hot = 0;
#else
    public const MethodImplOptions Hot = MethodImplOptions.AggressiveOptimization;
#endif
}
