namespace AmtSharp.Cli.Configuration;

/// <summary>A --config file is missing, unreadable, not YAML, or has a key or value the command cannot take. The message names the file.</summary>
internal sealed class ConfigFileException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string FilePath { get; } = path;
}
