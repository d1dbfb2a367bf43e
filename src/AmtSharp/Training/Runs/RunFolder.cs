using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AmtSharp.Core;
using AmtSharp.Training.Checkpoints;

namespace AmtSharp.Training.Runs;

/// <summary>What a command expects of its output folder.</summary>
public enum RunFolderMode
{
    /// <summary>Create it or use it as it is (library callers that manage the folder themselves, e.g. the study).</summary>
    Reuse,

    /// <summary>A new run: a folder that already holds a run is refused.</summary>
    New,

    /// <summary>Continue a run: the folder must exist and hold checkpoints; it is never created.</summary>
    Resume,

    /// <summary>A new run in place of an old one, whose files are deleted (and listed).</summary>
    Overwrite,
}

/// <summary>How to open a run folder.</summary>
/// <param name="Mode">What the folder may already hold.</param>
/// <param name="Command">Who opens it ("amt pretrain"), recorded in the lock.</param>
/// <param name="CanResume">Whether the command has --resume, so a refusal only suggests options that exist.</param>
/// <param name="Note">Receives one-line notes (a stale lock taken over, the files an overwrite deleted).</param>
public sealed record RunFolderOpening(RunFolderMode Mode, string Command = "amt", bool CanResume = true, Action<string>? Note = null)
{
    public static RunFolderOpening Reuse { get; } = new(RunFolderMode.Reuse);
}

/// <summary>
/// One run's output folder: config.json, environment.json, metrics.jsonl (one JSON object per line, on disk
/// after each append, so a crashed run keeps its history) and final.json.
/// Opened with <see cref="Open"/>, it is locked (<see cref="RunLock"/>) until disposed.
/// </summary>
public sealed class RunFolder : IDisposable
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

    /// <summary>Files a run writes at the top of its folder (besides pictures); --overwrite deletes exactly these and the folders below.</summary>
    public static readonly IReadOnlyList<string> RunFiles =
        [ConfigFile, EnvironmentFile, MetricsFile, FinalFile, "steps.csv", "report.md", "report.html", "demo-baselines.json"];

    /// <summary>Folders a run writes: checkpoints and TensorBoard events.</summary>
    public static readonly IReadOnlyList<string> RunFolders = ["checkpoints", "tensorboard"];

    private readonly RunLock? runLock;

    private RunFolder(string path, RunLock? runLock = null)
    {
        Path = path;
        this.runLock = runLock;
    }

    public string Path { get; }

    /// <summary>The lock held on the folder (null for <see cref="Create"/>, which does not lock).</summary>
    public RunLock? Lock => runLock;

    /// <summary>
    /// Opens the folder for one training process: checks what it holds against <paramref name="opening"/> and locks it.
    /// A refusal (held by another process, a run there opened as new, nothing to resume) throws
    /// <see cref="RunFolderException"/> and leaves the folder as it was: not created, no file written or changed.
    /// </summary>
    public static RunFolder Open(string path, RunFolderOpening opening)
    {
        string full = System.IO.Path.GetFullPath(path);
        bool existed = Directory.Exists(full);
        if (!existed && opening.Mode == RunFolderMode.Resume)
        {
            throw new RunFolderException(full, $"does not exist, so there is no run to resume (drop {Setting.Mention("Resume")} to start a new run)");
        }
        if (!existed)
        {
            try
            {
                Directory.CreateDirectory(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new RunFolderException(full, $"cannot be created or is not writable ({e.Message})", e);
            }
        }
        RunLock runLock;
        try
        {
            // The lock comes first, so that what the folder holds cannot change while it is judged.
            runLock = RunLock.Acquire(full, opening.Command, opening.Note);
        }
        catch when (!existed)
        {
            TryDelete(full);
            throw;
        }
        try
        {
            CheckContents(full, opening);
        }
        catch
        {
            runLock.Dispose();
            if (!existed)
            {
                TryDelete(full);
            }
            throw;
        }
        return new RunFolder(full, runLock);
    }

    /// <summary>The run files and folders present in <paramref name="path"/> (names relative to it), empty when it holds no run.</summary>
    public static IReadOnlyList<string> RunEntries(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            return [];
        }
        var entries = RunFiles.Where(f => File.Exists(System.IO.Path.Combine(full, f))).ToList();
        entries.AddRange(RunFolders.Where(d => Directory.Exists(System.IO.Path.Combine(full, d)) &&
            Directory.EnumerateFileSystemEntries(System.IO.Path.Combine(full, d)).Any()).Select(d => d + "/"));
        return entries;
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => runLock?.Dispose();

    private static void CheckContents(string full, RunFolderOpening opening)
    {
        var entries = RunEntries(full);
        switch (opening.Mode)
        {
            case RunFolderMode.New when entries.Count > 0:
                throw new RunFolderException(full, $"already holds a run ({string.Join(", ", entries)}); " +
                    (opening.CanResume ? $"pass {Setting.Mention("Resume")} to continue it, or {Setting.Mention("Overwrite")} to delete it and start again" : $"pass {Setting.Mention("Overwrite")} to delete it and start again"));
            case RunFolderMode.Resume:
                if (new CheckpointFolder(System.IO.Path.Combine(full, "checkpoints")).List().Count == 0)
                {
                    throw new RunFolderException(full, entries.Count == 0
                        ? $"holds no run to resume (drop {Setting.Mention("Resume")} to start a new run)"
                        : $"holds no checkpoint to resume from (pass {Setting.Mention("Overwrite")} instead of {Setting.Mention("Resume")} to start again)");
                }
                break;
            case RunFolderMode.Overwrite when entries.Count > 0:
                opening.Note?.Invoke($"overwrite: deleted the previous run in {full}: {DeleteRun(full)}");
                break;
        }
    }

    // Deletes only what a run writes, so an --overwrite aimed at the wrong folder cannot take other files with it.
    private static string DeleteRun(string full)
    {
        var deleted = new List<string>();
        try
        {
            foreach (string name in RunFiles.Where(f => File.Exists(System.IO.Path.Combine(full, f))))
            {
                File.Delete(System.IO.Path.Combine(full, name));
                deleted.Add(name);
            }
            foreach (string picture in Directory.EnumerateFiles(full, "*.png").ToList())
            {
                File.Delete(picture);
                deleted.Add(System.IO.Path.GetFileName(picture));
            }
            foreach (string name in RunFolders.Where(d => Directory.Exists(System.IO.Path.Combine(full, d))))
            {
                string dir = System.IO.Path.Combine(full, name);
                int files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Count();
                Directory.Delete(dir, recursive: true);
                deleted.Add($"{name}/ ({files} file{(files == 1 ? "" : "s")})");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException(full, $"cannot delete the previous run (deleted so far: {string.Join(", ", deleted)}): {e.Message}", e);
        }
        return string.Join(", ", deleted);
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not empty or not ours to remove: leave it.
        }
    }

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

    /// <summary>
    /// The compute precision recorded in <paramref name="folder"/>'s config.json; null when there is none (or it is
    /// unreadable: the resume itself then says what is wrong).
    /// </summary>
    public static ComputePrecision? SavedPrecision(string folder)
    {
        try
        {
            string file = System.IO.Path.Combine(folder, ConfigFile);
            return File.Exists(file) && System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))?["precision"]?.GetValue<string>() is { } text
                && ComputePrecisions.TryParse(text, out var precision) ? precision : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

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

    /// <summary>Replaces metrics.jsonl with <paramref name="records"/> (atomically: a crash leaves the old file or the new one).</summary>
    public void RewriteMetrics(IEnumerable<object> records)
    {
        var text = new StringBuilder();
        foreach (var record in records)
        {
            text.Append(JsonSerializer.Serialize(record, record.GetType(), LineOptions)).Append('\n');
        }
        Guard(MetricsFile, () => AtomicFile.WriteAllText(PathOf(MetricsFile), text.ToString()));
    }

    /// <summary>
    /// On resume from a checkpoint after <paramref name="epochsDone"/> epochs: keeps one line per earlier epoch (the
    /// last, if a kill between a metrics line and its checkpoint repeated it) and drops later ones, which are trained
    /// again, so every epoch is in metrics.jsonl exactly once. Returns the kept records.
    /// </summary>
    public IReadOnlyList<T> TruncateMetrics<T>(int epochsDone, Func<T, int> epochOf)
    {
        var kept = ReadMetrics()
            .Select(m => m.Deserialize<T>(JsonOptions)!)
            .Where(r => epochOf(r) < epochsDone)
            .GroupBy(epochOf)
            .Select(g => g.Last())
            .OrderBy(epochOf)
            .ToList();
        RewriteMetrics(kept.Cast<object>());
        return kept;
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

    /// <summary>Writes <paramref name="value"/> as JSON to <paramref name="name"/> in the folder, atomically.</summary>
    public void WriteJson(string name, object value)
    {
        string json = JsonSerializer.Serialize(value, value.GetType(), JsonOptions);
        Guard(name, () => AtomicFile.WriteAllText(PathOf(name), json + "\n"));
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
