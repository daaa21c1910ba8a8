namespace Linger.Probe.Smtp;

/// <summary>The extensions a server listed in its EHLO reply (the lines after the first).</summary>
internal sealed class SmtpCapabilities
{
    private readonly HashSet<string> _keywords = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _authMechanisms = new(StringComparer.OrdinalIgnoreCase);

    private SmtpCapabilities()
    {
    }

    /// <summary>What HELO gets: no extensions at all.</summary>
    public static SmtpCapabilities None { get; } = new();

    public bool StartTls => _keywords.Contains("STARTTLS");

    public bool Auth => _authMechanisms.Count > 0;

    public IReadOnlyCollection<string> AuthMechanisms => _authMechanisms;

    public IReadOnlyCollection<string> Keywords => _keywords;

    public static SmtpCapabilities Parse(NumberedReply ehloReply)
    {
        ArgumentNullException.ThrowIfNull(ehloReply);
        var capabilities = new SmtpCapabilities();
        foreach (var line in ehloReply.Lines.Skip(1))
        {
            // "AUTH=PLAIN LOGIN" is the form some old clients needed; servers still send it next to "AUTH PLAIN LOGIN".
            var words = line.Split([' ', '='], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }

            capabilities._keywords.Add(words[0]);
            if (words[0].Equals("AUTH", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var mechanism in words.Skip(1))
                {
                    capabilities._authMechanisms.Add(mechanism);
                }
            }
        }

        return capabilities;
    }
}
