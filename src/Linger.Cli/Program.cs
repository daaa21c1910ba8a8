using Linger.Cli.Output;

namespace Linger.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "analyze")
        {
            Analyze.JitWarmup.Start(args); // uses the second core while the command line is parsed
        }

        using var raw = Console.OpenStandardOutput();
        return LingerApp.Run(args, Console.Out, Console.Error, ConsoleOptions.FromEnvironment(), raw);
    }
}
