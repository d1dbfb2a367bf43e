using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AmtSharp.Cli.Configuration;

/// <summary>
/// Writes settings as the YAML that --config reads: one `key: value` line per option, keyed by the option itself so
/// a key cannot drift from its flag. Numbers are written to round-trip exactly.
/// </summary>
internal sealed partial class SettingsYaml
{
    private readonly StringBuilder text = new();

    public SettingsYaml Comment(string line)
    {
        text.Append("# ").AppendLine(line);
        return this;
    }

    public SettingsYaml Add<T>(Option<T> option, T value)
    {
        text.Append(option.Name.TrimStart('-')).Append(": ").AppendLine(Format(value));
        return this;
    }

    public override string ToString() => text.ToString();

    private static string Format(object? value) => value switch
    {
        null => "~",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f and not Enum => f.ToString(null, CultureInfo.InvariantCulture),
        Enum e => e.ToString().ToLowerInvariant(),
        _ => Text(value.ToString() ?? ""),
    };

    // Plain when YAML would read it back as the same text; otherwise single-quoted ('' escapes a quote).
    private static string Text(string s) =>
        PlainText().IsMatch(s) && s is not ("null" or "Null" or "NULL" or "~") ? s : "'" + s.Replace("'", "''") + "'";

    [GeneratedRegex("^[A-Za-z0-9_./][A-Za-z0-9_./+-]*$")]
    private static partial Regex PlainText();
}
