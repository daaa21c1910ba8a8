using System.Globalization;

namespace Linger.Bench;

/// <summary>
/// <c>linger-bench generate FILE [--packets N] [--seed S]</c>: writes the synthetic capture the analyze benchmark
/// runs on (see bench/README.md and BENCHMARKS.md).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length is 2 or 3 or 4 && args[0] == "stages")
        {
            Stages.Run(args[1], args.Length >= 3 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3, args.Length == 4 ? args[3] : null);
            return 0;
        }

        if (args.Length == 2 && args[0] == "profile")
        {
            Profile.Run(args[1]);
            return 0;
        }

        if (args.Length < 2 || args[0] != "generate")
        {
            Console.Error.WriteLine("usage: linger-bench generate FILE [--packets N] [--seed S]");
            return 2;
        }

        var packets = 2_000_000L;
        var seed = 1;
        for (var i = 2; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--packets":
                    packets = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--seed":
                    seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine($"linger-bench: unknown option {args[i]}");
                    return 2;
            }
        }

        var stats = SyntheticCapture.Write(args[1], packets, seed);
        Console.WriteLine(stats);
        return 0;
    }
}
