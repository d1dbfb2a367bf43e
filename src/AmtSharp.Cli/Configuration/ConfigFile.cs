using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AmtSharp.Cli.Configuration;

/// <summary>One `key: value` line of a configuration file. A YAML list gives several values.</summary>
/// <param name="Key">The long option name without dashes, e.g. mask-ratio.</param>
/// <param name="Values">The value(s) as written, exactly as they would follow the flag.</param>
/// <param name="Line">1-based line of the key, for error messages.</param>
/// <param name="IsList">Whether the value was a YAML list.</param>
internal sealed record ConfigEntry(string Key, IReadOnlyList<string> Values, int Line, bool IsList);

/// <summary>
/// A YAML configuration file: one flat mapping whose keys are long option names. Values stay text, so that they
/// go through the same parsing and range checks as the flags. A null value (`key:` or `key: ~`) means "not set".
/// </summary>
internal static class ConfigFile
{
    /// <summary>Reads <paramref name="path"/>; every problem is a <see cref="ConfigFileException"/>.</summary>
    public static IReadOnlyList<ConfigEntry> Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw Problem(path, "is a folder, not a YAML file");
        }
        if (!File.Exists(path))
        {
            throw Problem(path, "configuration file does not exist");
        }
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlException e)
        {
            throw Problem(path, $"line {e.Start.Line}: not valid YAML ({Inner(e).Message.ReplaceLineEndings(" ")})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Problem(path, $"cannot be read ({e.Message})");
        }
        if (yaml.Documents.Count > 1)
        {
            throw Problem(path, $"holds {yaml.Documents.Count} YAML documents; expected one");
        }
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is YamlScalarNode s && IsNull(s))
        {
            return [];                                   // empty, or comments only
        }
        if (yaml.Documents[0].RootNode is not YamlMappingNode map)
        {
            throw Problem(path, "must be a mapping of option names to values (for example 'epochs: 20')");
        }
        var entries = new List<ConfigEntry>();
        foreach (var (keyNode, valueNode) in map.Children)
        {
            int line = (int)keyNode.Start.Line;
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
            {
                throw Problem(path, $"line {line}: keys must be option names");
            }
            var entry = valueNode switch
            {
                YamlScalarNode v when IsNull(v) => null,
                YamlScalarNode v => new ConfigEntry(key, [v.Value!], line, IsList: false),
                YamlSequenceNode list => new ConfigEntry(key, list.Children.Select(item => item is YamlScalarNode sv && !IsNull(sv)
                    ? sv.Value!
                    : throw Problem(path, $"line {item.Start.Line}, key '{key}': list items must be plain values")).ToArray(), line, IsList: true),
                _ => throw Problem(path, $"line {line}, key '{key}': expected a value or a list, not a nested mapping"),
            };
            if (entry is not null)
            {
                entries.Add(entry);
            }
        }
        return entries;
    }

    private static ConfigFileException Problem(string path, string message) => new(path, message);

    // YamlDotNet wraps the scanner's message ("duplicate key", "mapping values are not allowed here") in a generic one.
    private static Exception Inner(Exception e) => e.InnerException is YamlException inner ? inner : e;

    private static bool IsNull(YamlScalarNode node) =>
        node.Style == YamlDotNet.Core.ScalarStyle.Plain && node.Value is null or "" or "~" or "null" or "Null" or "NULL";
}
