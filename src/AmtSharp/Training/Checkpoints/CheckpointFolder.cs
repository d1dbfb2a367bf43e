using System.Globalization;

namespace AmtSharp.Training.Checkpoints;

/// <summary>
/// Numbered checkpoints in one folder: "checkpoint-00012.amtckpt". Finds the newest readable one, so a
/// corrupted latest file (e.g. a disk error) falls back to the one before it.
/// </summary>
public sealed class CheckpointFolder
{
    public const string Prefix = "checkpoint-";
    public const string Extension = ".amtckpt";

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
