using AmtSharp.Cli.Configuration;
using AmtSharp.Data;
using AmtSharp.Training.Runs;

namespace AmtSharp.Cli;

/// <summary>Which exceptions are the user's to fix (bad option, missing file, bad checkpoint, unwritable folder).</summary>
internal static class UserErrors
{
    public static bool IsUserError(Exception e) => e is ConfigException or DataException or CheckpointException
        or RunFolderException or ConfigFileException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException;

    public const string SkipOption = "--skip-bad-images";

    /// <summary>For an image a run stopped on, how to skip it instead, when the command has the option.</summary>
    public static string SkipAdvice(Exception e, System.CommandLine.ParseResult? parsed) =>
        e is DataException { Skippable: true } && parsed?.CommandResult.Command.Options.Any(o => o.Name == SkipOption) == true
            ? $" (rerun with {SkipOption} to skip unreadable images with a warning)"
            : "";

    /// <summary>One line, whatever the message holds.</summary>
    public static string Describe(string message) => message.ReplaceLineEndings(" ");
}
