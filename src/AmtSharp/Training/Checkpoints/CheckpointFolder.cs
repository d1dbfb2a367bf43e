using System.Globalization;
using AmtSharp.Core;

namespace AmtSharp.Training.Checkpoints;

/// <summary>
/// Numbered checkpoints in one folder: "checkpoint-00012.amtckpt". Readers of a finished run (export, evaluation)
/// take the newest readable one; a resume takes the newest and says so when it is damaged (<see cref="LoadForResume"/>).
/// </summary>
public sealed class CheckpointFolder
{
    public const string Prefix = "checkpoint-";
    public const string Extension = ".amtckpt";

    /// <summary>
    /// Names the newest checkpoint written, so that a resume notices when that file has gone (the files alone cannot
    /// tell a deleted newest checkpoint from one never written). Hidden, so listings of checkpoints/ are unchanged.
    /// </summary>
    public const string NewestFile = ".newest";

    public CheckpointFolder(string directory)
    {
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    /// <summary>Path of the checkpoint with number <paramref name="index"/> (epoch or step).</summary>
    public string PathFor(long index) =>
        Path.Combine(Directory, Prefix + index.ToString("D5", CultureInfo.InvariantCulture) + Extension);

    /// <summary>
    /// Saves atomically as number <paramref name="index"/>; returns the path. With <paramref name="keep"/> &gt; 0,
    /// older checkpoints beyond the newest <paramref name="keep"/> are deleted, only after the new one is safely written.
    /// </summary>
    public string Save(long index, CheckpointData data, int keep = 0)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string path = PathFor(index);
        CheckpointFile.Save(path, data);
        if (keep > 0)
        {
            foreach (var (_, old) in List().Skip(keep))
            {
                File.Delete(old);
            }
        }
        try
        {
            AtomicFile.WriteAllText(Path.Combine(Directory, NewestFile), Path.GetFileName(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The checkpoint itself is safe; a stale pointer only names an older file that still exists.
        }
        return path;
    }

    /// <summary>Checkpoint files by number, newest first (".tmp" leftovers are ignored).</summary>
    public IReadOnlyList<(long Index, string Path)> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return System.Array.Empty<(long, string)>();
        }
        return System.IO.Directory.EnumerateFiles(Directory, Prefix + "*" + Extension)
            .Select(p => (ok: TryIndex(p, out long i), i, p))
            .Where(x => x.ok)
            .OrderByDescending(x => x.i)
            .Select(x => (x.i, x.p))
            .ToList();
    }

    /// <summary>
    /// Loads the newest checkpoint that verifies, or null when there is none. Files that fail verification
    /// are reported through <paramref name="skipped"/> (e.g. for a log line) and passed over.
    /// </summary>
    public LoadedCheckpoint? TryLoadLatest(Action<CheckpointException>? skipped = null)
    {
        foreach (var (_, path) in List())
        {
            try
            {
                return CheckpointFile.Load(path);
            }
            catch (CheckpointException e)
            {
                skipped?.Invoke(e);
            }
        }
        return null;
    }

    /// <summary>
    /// The checkpoint a resume continues from: the newest one, if it verifies and all its values are finite. A damaged
    /// newest checkpoint is never passed over silently: without <paramref name="fromOlder"/> the resume is refused,
    /// naming the damaged files and the newest intact one; with it, each damaged file is named through
    /// <paramref name="note"/>. When none is usable, every damaged file is listed.
    /// </summary>
    public LoadedCheckpoint LoadForResume(bool fromOlder, Action<string>? note = null)
    {
        var all = List();
        if (all.Count == 0)
        {
            throw new CheckpointException(Directory, "holds no checkpoint to resume from");
        }
        var damaged = new List<CheckpointException>();
        if (MissingNewest(all[0].Index) is { } missing)
        {
            damaged.Add(new CheckpointException(missing, "is missing, although it was the newest checkpoint written"));
        }
        foreach (var (_, path) in all)
        {
            LoadedCheckpoint loaded;
            try
            {
                loaded = CheckpointFile.Load(path);
            }
            catch (CheckpointException e)
            {
                damaged.Add(e);
                continue;
            }
            // A checkpoint written before weights were checked may hold a diverged model; resuming it only diverges again.
            var (bad, where) = Finiteness.Check(loaded.Tensors, loaded.Arrays);
            if (bad > 0)
            {
                loaded.Dispose();
                damaged.Add(new CheckpointException(path, $"holds {bad} non-finite values (in {string.Join(", ", where.Take(3))}{(where.Count > 3 ? ", …" : "")})"));
                continue;
            }
            if (damaged.Count > 0 && !fromOlder)
            {
                loaded.Dispose();
                throw new CheckpointException(damaged[0].FilePath, $"{Describe(damaged)}; the newest intact checkpoint is {path}: " +
                    $"pass {Setting.Mention("ResumeFromOlder")} to continue from it");
            }
            foreach (var e in damaged)
            {
                note?.Invoke($"resume: skipping the damaged checkpoint {e.FilePath}: {e.Problem}");
            }
            return loaded;
        }
        throw new CheckpointException(Directory, $"holds no usable checkpoint: {Describe(damaged)}");
    }

    // The file .newest names, when it is newer than every checkpoint present (so it was deleted after being written).
    private string? MissingNewest(long newestPresent)
    {
        string pointer = Path.Combine(Directory, NewestFile);
        try
        {
            string name = File.Exists(pointer) ? File.ReadAllText(pointer).Trim() : "";
            string path = Path.Combine(Directory, name);
            return name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(Extension, StringComparison.Ordinal)
                && TryIndex(path, out long index) && index > newestPresent && !File.Exists(path) ? path : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;                                        // an unreadable pointer says nothing either way
        }
    }

    private static string Describe(IReadOnlyList<CheckpointException> damaged) =>
        damaged.Count == 1
            ? $"the newest checkpoint {damaged[0].Problem}"
            : $"{damaged.Count} damaged checkpoints: " + string.Join("; ", damaged.Select(e => $"{Path.GetFileName(e.FilePath)} {e.Problem}"));

    /// <summary>
    /// Loads a checkpoint file, or the newest valid checkpoint of a run folder (its checkpoints/ subfolder, or the
    /// folder itself). Throws <see cref="CheckpointException"/> naming the path when there is none.
    /// </summary>
    public static LoadedCheckpoint LoadFileOrNewest(string path)
    {
        if (!System.IO.Directory.Exists(path))
        {
            return CheckpointFile.Load(path);
        }
        string sub = Path.Combine(path, "checkpoints");
        var folder = new CheckpointFolder(System.IO.Directory.Exists(sub) ? sub : path);
        CheckpointException? lastProblem = null;
        return folder.TryLoadLatest(e => lastProblem ??= e)
            ?? throw new CheckpointException(Path.GetFullPath(path),
                lastProblem is null ? "holds no checkpoint" : $"holds no valid checkpoint (newest: {lastProblem.Message})");
    }

    private static bool TryIndex(string path, out long index)
    {
        string name = Path.GetFileName(path);
        string digits = name[Prefix.Length..^Extension.Length];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
