namespace AmtSharp.Data;

/// <summary>
/// Bad or missing input data. The message always names the file or folder at fault,
/// so a run that stops on it tells the user what to fix.
/// </summary>
public sealed class DataException : Exception
{
    public DataException(string path, string problem, Exception? inner = null)
        : base($"{problem}: {path}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file or folder at fault (or a record description such as "data_batch_1.bin#17").</summary>
    public string Path { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; }

    /// <summary>A single image that could not be used: a run could skip it (the command line says how) rather than stop.</summary>
    public bool Skippable { get; init; }
}
