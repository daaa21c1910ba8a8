using System.Text;

namespace Linger.Tests.Probe.Smtp;

/// <summary>A password must not appear in an output: as typed, in base64, or inside AUTH PLAIN's base64 token.</summary>
internal static class PasswordAssert
{
    public static void NowhereIn(string password, string user, params string[] outputs)
    {
        string[] forms = [password, B64(password), B64($"\0{user}\0{password}"), B64($"{user}\0{user}\0{password}")];
        foreach (var output in outputs)
        {
            foreach (var form in forms)
            {
                Assert.DoesNotContain(form, output, StringComparison.Ordinal);
            }
        }
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
