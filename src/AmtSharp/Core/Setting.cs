using System.Text.RegularExpressions;

namespace AmtSharp.Core;

/// <summary>
/// How library text names a setting that each front end spells its own way: «Name», the configuration property (or run-folder
/// mode) it means. The command line replaces every mention with its flag
/// («Resume» → --resume) as it prints; a program using the library reads the property name.
/// </summary>
public static partial class Setting
{
    /// <summary>The mention of <paramref name="name"/> in a message or note.</summary>
    public static string Mention(string name) => $"«{name}»";

    /// <summary>Every mention in <paramref name="text"/> replaced by <paramref name="spell"/> of its name.</summary>
    public static string Respell(string text, Func<string, string> spell) =>
        text.Contains('«', StringComparison.Ordinal) ? MentionPattern().Replace(text, m => spell(m.Groups[1].Value)) : text;

    [GeneratedRegex(@"«(\w+)»")]
    private static partial Regex MentionPattern();
}
