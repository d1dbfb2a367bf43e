using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AmtSharp.Training.Runs;

/// <summary>
/// One run's output folder: config.json, environment.json, metrics.jsonl (one JSON object per line, on disk
/// after each append, so a crashed run keeps its history) and final.json.
/// </summary>
public sealed class RunFolder
{
    public const string ConfigFile = "config.json";
    public const string EnvironmentFile = "environment.json";
    public const string MetricsFile = "metrics.jsonl";
    public const string FinalFile = "final.json";

    /// <summary>
    /// Options for every file written here (and for reading them back): snake_case names, enums as strings,
    /// and NaN/∞ allowed so that a diverging loss is logged rather than crashing the logger.
    /// </summary>
    public static JsonSerializerOptions JsonOptions { get; } = CreateOptions(indented: true);

    private static readonly JsonSerializerOptions LineOptions = CreateOptions(indented: false);

    private RunFolder(string path)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>Creates (or reuses) the folder and checks that it is writable.</summary>
    public static RunFolder Create(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full);
            string probe = System.IO.Path.Combine(full, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, Array.Empty<byte>());
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new RunFolderException(full, $"cannot be created or is not writable ({e.Message})", e);
        }
        return new RunFolder(full);
    }

    /// <summary>Full path of a file inside the run folder.</summary>
    public string PathOf(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes the resolved configuration to config.json.</summary>
    public void WriteConfig(object config) => WriteJson(ConfigFile, config);

    /// <summary>Writes environment.json (captured now if not given).</summary>
    public EnvironmentInfo WriteEnvironment(EnvironmentInfo? info = null)
    {
        info ??= EnvironmentInfo.Capture();
        WriteJson(EnvironmentFile, info);
        return info;
    }

    /// <summary>Appends one JSON line to metrics.jsonl and flushes it to disk.</summary>
    public void AppendMetrics(object record)
    {
        byte[] line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, record.GetType(), LineOptions) + "\n");
        Guard(MetricsFile, () =>
        {
            using var fs = new FileStream(PathOf(MetricsFile), FileMode.Append, FileAccess.Write, FileShare.Read);
            fs.Write(line);
            fs.Flush(flushToDisk: true);
        });
    }

    /// <summary>Writes the final result to final.json.</summary>
    public void WriteFinal(object result) => WriteJson(FinalFile, result);

    /// <summary>Reads metrics.jsonl back, one element per line.</summary>
    public IReadOnlyList<JsonElement> ReadMetrics()
    {
        string path = PathOf(MetricsFile);
        if (!File.Exists(path))
        {
            return Array.Empty<JsonElement>();
        }
        return File.ReadLines(path)
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();
    }

    /// <summary>Atomic write (temp file + move) so a reader never sees half a file.</summary>
    private void WriteJson(string name, object value)
    {
        string json = JsonSerializer.Serialize(value, value.GetType(), JsonOptions);
        Guard(name, () =>
        {
            string target = PathOf(name);
            string tmp = target + ".tmp";
            File.WriteAllText(tmp, json + "\n", new UTF8Encoding(false));
            File.Move(tmp, target, overwrite: true);
        });
    }

    private void Guard(string name, Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException(Path, $"cannot write {name} ({e.Message})", e);
        }
    }

    private static JsonSerializerOptions CreateOptions(bool indented)
    {
        var o = new JsonSerializerOptions
        {
            WriteIndented = indented,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
