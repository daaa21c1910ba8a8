namespace Linger.Wire.Filtering;

/// <summary>Splits filter text into tokens. Words run until space or one of <c>()!&amp;|</c>, so addresses, prefixes and ranges stay whole.</summary>
internal static class FilterLexer
{
    public static List<FilterToken> Tokenize(string text)
    {
        var tokens = new List<FilterToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var column = i + 1;
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            switch (c)
            {
                case '(':
                    tokens.Add(new FilterToken(FilterTokenKind.OpenParenthesis, "(", column));
                    i++;
                    continue;
                case ')':
                    tokens.Add(new FilterToken(FilterTokenKind.CloseParenthesis, ")", column));
                    i++;
                    continue;
                case '!':
                    tokens.Add(new FilterToken(FilterTokenKind.Bang, "!", column));
                    i++;
                    continue;
                case '&' or '|':
                    if (i + 1 < text.Length && text[i + 1] == c)
                    {
                        tokens.Add(c == '&'
                            ? new FilterToken(FilterTokenKind.AmpersandAmpersand, "&&", column)
                            : new FilterToken(FilterTokenKind.BarBar, "||", column));
                        i += 2;
                        continue;
                    }

                    throw new FilterSyntaxException(
                        text,
                        column,
                        $"unexpected '{c}'",
                        c == '&' ? "write '&&' or 'and'" : "write '||' or 'or'");
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or '!' or '&' or '|'))
            {
                i++;
            }

            tokens.Add(new FilterToken(FilterTokenKind.Word, text[start..i], column));
        }

        tokens.Add(new FilterToken(FilterTokenKind.End, string.Empty, text.Length + 1));
        return tokens;
    }
}
