using Linger.Cli.Output;

namespace Linger.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        using var raw = Console.OpenStandardOutput();
        return LingerApp.Run(args, Console.Out, Console.Error, ConsoleOptions.FromEnvironment(), raw);
    }
}
