using AmtSharp.Cli.Configuration;
using AmtSharp.Data;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Runs;

namespace AmtSharp.Cli;

/// <summary>Which exceptions are the user's to fix (bad option, missing file, bad checkpoint, unwritable folder).</summary>
internal static class UserErrors
{
    public static bool IsUserError(Exception e) => e is ConfigException or DataException or CheckpointException
        or RunFolderException or ConfigFileException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException;

    /// <summary>One line, whatever the message holds.</summary>
    public static string Describe(string message) => message.ReplaceLineEndings(" ");
}
