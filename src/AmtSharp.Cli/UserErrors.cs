namespace AmtSharp.Cli;

/// <summary>Which exceptions are the user's to fix (bad option, missing file, unwritable folder).</summary>
internal static class UserErrors
{
    public static bool IsUserError(Exception e) => e is ConfigException
        or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
        or InvalidDataException || e is IOException && e.GetType() == typeof(IOException)
        || e.GetType().Name is "DataException" or "CheckpointException" or "RunFolderException";

    public static string Describe(Exception e) => e.Message.ReplaceLineEndings(" ");
}
