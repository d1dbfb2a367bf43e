namespace AmtSharp.Training.Runs;

/// <summary>The run folder cannot be created or written. The message names the path.</summary>
public sealed class RunFolderException : Exception
{
    public string FolderPath { get; }

    public RunFolderException(string folderPath, string problem, Exception? inner = null)
        : base($"Run folder '{folderPath}': {problem}", inner)
    {
        FolderPath = folderPath;
    }
}
