namespace AmtSharp.Reporting;

/// <summary>Splits text into lines that fit a pixel width in <see cref="BitmapFont"/>.</summary>
public static class TextWrapper
{
    /// <summary>
    /// Greedy word wrap; a word wider than the line is cut into pieces. Always at least one line.
    /// </summary>
    public static IReadOnlyList<string> Wrap(string text, int maxWidth, int scale)
    {
        int maxChars = Math.Max(1, (maxWidth / scale + 1) / 6);
        var lines = new List<string>();
        foreach (string paragraph in text.Split('\n'))
        {
            string current = "";
            foreach (string word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                string rest = word;
                while (rest.Length > 0)
                {
                    string candidate = current.Length == 0 ? rest : current + " " + rest;
                    if (candidate.Length <= maxChars)
                    {
                        current = candidate;
                        rest = "";
                    }
                    else if (current.Length > 0)
                    {
                        lines.Add(current);
                        current = "";
                    }
                    else
                    {
                        lines.Add(rest[..maxChars]);
                        rest = rest[maxChars..];
                    }
                }
            }
            lines.Add(current);
        }
        return lines;
    }
}
