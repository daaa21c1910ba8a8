using Linger.Cli.Output;

namespace Linger.Cli;

internal static class Program
{
    private static int Main(string[] args) => LingerApp.Run(args, Console.Out, Console.Error, ConsoleOptions.FromEnvironment());
}
