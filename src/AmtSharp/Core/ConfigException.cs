namespace AmtSharp;

/// <summary>An impossible or unknown setting. The message names the option so a user can fix it.</summary>
public sealed class ConfigException(string option, string message)
    : Exception($"--{option}: {message}")
{
    public string Option { get; } = option;
}
