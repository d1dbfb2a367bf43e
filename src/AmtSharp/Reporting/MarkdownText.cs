using System.Text;

namespace AmtSharp.Reporting;

/// <summary>Escaping for Markdown text, table cells and link targets.</summary>
public static class MarkdownText
{
    private const string Special = "\\`*_[]<>|#!";

    /// <summary>Backslash-escapes Markdown punctuation; line breaks become spaces.</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is '\r' or '\n')
            {
                sb.Append(' ');
                continue;
            }
            if (Special.Contains(c))
            {
                sb.Append('\\');
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>A relative path as a link target: '/' separators, each segment percent-encoded.</summary>
    public static string Url(string relativePath) =>
        string.Join('/', relativePath.Replace('\\', '/').Split('/').Select(Uri.EscapeDataString));
}
