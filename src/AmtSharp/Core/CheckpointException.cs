namespace AmtSharp;

/// <summary>A checkpoint could not be written, read, verified or applied. The message names the file.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>The checkpoint file concerned.</summary>
    public string FilePath { get; }

    public CheckpointException(string filePath, string problem, Exception? inner = null)
        : base($"Checkpoint '{filePath}': {problem}", inner)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
