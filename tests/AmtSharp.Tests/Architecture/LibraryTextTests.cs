using System.Text.RegularExpressions;
using AmtSharp.Cli;
using AmtSharp.Core;
using AmtSharp.Experiments;
using AmtSharp.Reporting.Runs;
using Xunit;

namespace AmtSharp.Tests.Architecture;

/// <summary>
/// The library names settings as «Property» mentions, never as `amt` flags; the command line spells them as flags.
/// </summary>
public sealed partial class LibraryTextTests
{
    // Types whose text is a command line by design: the study's recipes ("amt pretrain --preset …") and the
    // TensorBoard command of a run's report.
    private static readonly HashSet<Type> CommandLineText =
    [
        typeof(Cifar10Comparison), typeof(SyntheticComparison), typeof(StudyCompute), typeof(StudyReport), typeof(PretrainReport),
    ];

    [Fact]
    public void NoLibraryStringNamesACommandLineFlag()
    {
        var literals = LayerTests.LibraryMethods().SelectMany(m => LayerTests.StringLiterals(m.Method).Select(s => (m.Owner, Text: s))).ToList();
        // The scan must see the literals, or an empty list of offenders would prove nothing.
        Assert.Contains(literals, l => l.Text.Contains("wait for it to end", StringComparison.Ordinal));

        var offenders = literals.Where(l => !CommandLineText.Contains(l.Owner) && Flag().IsMatch(l.Text))
            .Select(l => $"{l.Owner.FullName}: \"{l.Text}\"").Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(offenders.Count == 0, "library text that names a flag (use Setting.Mention):\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void TheCommandLinePrintsMentionsAsFlags()
    {
        var text = new StringWriter();
        var writer = new FlagWriter(text);
        writer.WriteLine($"pass {Setting.Mention("Resume")} or {Setting.Mention("ResumeFromOlder")}; {Setting.Mention("Format")} tinyimagenet");
        writer.Write(Setting.Mention("Heads"));
        Assert.Equal("pass --resume or --resume-from-older; --data-format tinyimagenet" + Environment.NewLine + "--heads", text.ToString());
    }

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z-]+")]
    private static partial Regex Flag();
}
