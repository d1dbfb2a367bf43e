using System.Text;
using AmtSharp.Core;

namespace AmtSharp.Cli;

/// <summary>
/// Everything `amt` prints goes through this writer, which spells the library's setting mentions («Resume») as the
/// flags the user types (--resume). Library text arrives in whole strings, so each write is respelled on its own.
/// </summary>
internal sealed class FlagWriter(TextWriter inner) : TextWriter
{
    private readonly TextWriter inner = inner;

    public override Encoding Encoding => inner.Encoding;

    /// <summary>The writer underneath (the console, for a terminal check), or <paramref name="writer"/> itself.</summary>
    public static TextWriter Unwrap(TextWriter writer) => writer is FlagWriter f ? f.inner : writer;

    public override void Write(char value) => inner.Write(value);

    public override void Write(string? value) => inner.Write(Spell(value));

    public override void WriteLine(string? value) => inner.WriteLine(Spell(value));

    public override void Flush() => inner.Flush();

    private static string? Spell(string? text) => text is null ? null : Setting.Respell(text, name => "--" + OptionNames.Flag(name));

    public override string ToString() => inner.ToString() ?? "";
}
