using System.CommandLine;
using System.CommandLine.Parsing;

namespace AmtSharp.Cli.Configuration;

/// <summary>
/// `--config file.yaml`: the file's entries become `--key=value` arguments, added only for options the command line
/// does not set, so flags override the file and the file overrides presets and defaults. Because the values are
/// parsed as flags, they get the same conversions and range checks; errors about them name the file and key.
/// </summary>
internal sealed class ConfigFileArguments
{
    public const string OptionName = "--config";

    // Switches that say what to do rather than how: they belong on the command line.
    private static readonly HashSet<string> NotSettings = ["config", "print-config", "list-presets", "help"];

    private readonly Dictionary<string, ConfigEntry> fromFile;

    private ConfigFileArguments(string path, string[] args, Dictionary<string, ConfigEntry> fromFile)
    {
        Path = path;
        Args = args;
        this.fromFile = fromFile;
    }

    /// <summary>The configuration file.</summary>
    public string Path { get; }

    /// <summary>The command line with the file's settings appended.</summary>
    public string[] Args { get; }

    /// <summary>
    /// Reads the file named by --config (if the invoked command has that option and it is given) and merges it into
    /// <paramref name="args"/>; null when there is no file to read.
    /// </summary>
    public static ConfigFileArguments? Merge(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        var command = parsed.CommandResult.Command;
        var configOption = command.Options.FirstOrDefault(o => o.Name == OptionName);
        if (configOption is null || parsed.GetResult(configOption) is not { Implicit: false, Tokens: [var token, ..] })
        {
            return null;
        }
        string path = token.Value;
        var merged = new List<string>(args);
        var fromFile = new Dictionary<string, ConfigEntry>();
        foreach (var entry in ConfigFile.Read(path))
        {
            var option = command.Options.FirstOrDefault(o => o.Name == "--" + entry.Key && !NotSettings.Contains(entry.Key))
                ?? throw UnknownKey(path, entry, command);
            if (entry.IsList && option.Arity.MaximumNumberOfValues == 1)
            {
                throw new ConfigFileException(path, $"line {entry.Line}, key '{entry.Key}': expects one value, not a list");
            }
            // A bare switch takes no value on the command line, so a stray one would not be reported against the key.
            if (option.ValueType == typeof(bool) && !bool.TryParse(entry.Values[0], out _))
            {
                throw new ConfigFileException(path, $"line {entry.Line}, key '{entry.Key}': expects true or false, got '{entry.Values[0]}'");
            }
            if (parsed.GetResult(option) is { Implicit: false })
            {
                continue;                                    // the flag wins
            }
            fromFile[option.Name] = entry;
            // --key=value keeps values that start with '-' or '@' from being read as options or response files.
            merged.AddRange(entry.Values.Select(v => $"{option.Name}={v}"));
        }
        return new ConfigFileArguments(path, merged.ToArray(), fromFile);
    }

    /// <summary>
    /// The message for a parse error, naming the file and key when the offending value came from the file;
    /// null when it did not.
    /// </summary>
    public string? Describe(ParseError error)
    {
        var option = error.SymbolResult switch
        {
            OptionResult o => o.Option,
            ArgumentResult { Parent: OptionResult o } => o.Option,
            _ => null,
        };
        return option is not null && fromFile.TryGetValue(option.Name, out var entry) ? Describe(entry, error.Message) : null;
    }

    /// <summary>The message for a <see cref="ConfigException"/> about an option whose value came from the file; null otherwise.</summary>
    public string? Describe(ConfigException error) =>
        fromFile.TryGetValue("--" + OptionNames.Flag(error.Setting), out var entry) ? Describe(entry, OptionNames.Describe(error)) : null;

    private string Describe(ConfigEntry entry, string message) => $"{Path}: line {entry.Line}, key '{entry.Key}': {message}";

    private static ConfigFileException UnknownKey(string path, ConfigEntry entry, Command command)
    {
        string hint = NotSettings.Contains(entry.Key)
            ? $"'{entry.Key}' is a command-line switch, not a setting"
            : command.Options.FirstOrDefault(o => o.Name == "--" + entry.Key.Replace('_', '-').ToLowerInvariant()) is { } close
                ? $"did you mean '{close.Name[2..]}'?"
                : $"keys are the long option names of 'amt {command.Name}' without the dashes; see 'amt {command.Name} --help'";
        return new ConfigFileException(path, $"line {entry.Line}: unknown key '{entry.Key}' ({hint})");
    }
}
