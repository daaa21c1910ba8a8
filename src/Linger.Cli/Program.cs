using Linger.Cli.Output;

namespace Linger.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Analyze.EarlyStart? early = null;
        if (args.Length > 0 && args[0] == "analyze")
        {
            // The analysis starts on the other core while the console and the command line are set up (about 40 ms).
            // LINGER_NO_EARLY_START=1 turns that off, to compare.
            if (Environment.GetEnvironmentVariable("LINGER_NO_EARLY_START") != "1")
            {
                early = Analyze.EarlyStart.TryStart(args);
            }

            Analyze.JitWarmup.Start(args); // uses the second core while the command line is parsed
        }

        using var raw = Console.OpenStandardOutput();
        return LingerApp.Run(args, Console.Out, Console.Error, ConsoleOptions.FromEnvironment(), raw, early);
    }
}
