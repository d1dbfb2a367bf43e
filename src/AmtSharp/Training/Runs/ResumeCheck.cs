using System.Text.Json;
using System.Text.Json.Nodes;
using AmtSharp.Training.Checkpoints;

namespace AmtSharp.Training.Runs;

/// <summary>
/// Whether a checkpoint may continue the run configured now: every setting must match, except how the work is done
/// (workers, device, checkpoints kept) and the learning-rate schedule, which may change on resume (printed): lowering
/// it is how a diverged run is rescued from its last finite checkpoint.
/// </summary>
public static class ResumeCheck
{
    /// <summary>Settings a resumed run may change: the learning-rate schedule (base lr, minimum lr, warm-up).</summary>
    public static readonly IReadOnlySet<string> ResumableSettings = new HashSet<string> { "base_lr", "min_lr", "warmup_epochs" };

    // How the run is executed, not what it computes.
    private static readonly HashSet<string> Ignored = ["workers", "device", "keep_checkpoints"];

    // Settings a resumed run may change with a note: the compute precision (weights and optimizer state are float32
    // either way, so a run started where bf16 pays can continue where it does not). Older checkpoints were float32.
    private static readonly Dictionary<string, JsonNode> NotedSettings = new() { ["precision"] = JsonValue.Create("fp32") };

    /// <summary>
    /// Compares the configuration saved under <paramref name="key"/> with <paramref name="config"/>; throws
    /// <see cref="CheckpointException"/> listing every difference, and notes each changed learning-rate setting.
    /// </summary>
    public static void Compare(LoadedCheckpoint checkpoint, string key, object config, Action<string>? note)
    {
        var saved = checkpoint.Get<JsonObject>(key);
        var current = JsonSerializer.SerializeToNode(config, config.GetType(), RunFolder.JsonOptions)!.AsObject();
        foreach (var (name, value) in current.Where(kv => ResumableSettings.Contains(kv.Key) && !JsonNode.DeepEquals(kv.Value, saved[kv.Key])))
        {
            note?.Invoke($"resume: {name} changed from {saved[name]?.ToJsonString() ?? "missing"} to {value?.ToJsonString()} (the learning-rate schedule may change on resume)");
        }
        foreach (var (name, missing) in NotedSettings.Where(kv => current.ContainsKey(kv.Key)))
        {
            var before = saved[name] ?? missing;
            if (!JsonNode.DeepEquals(current[name], before))
            {
                note?.Invoke($"resume: {name} changed from {before.ToJsonString()} to {current[name]?.ToJsonString()} (weights and optimizer state are float32 either way)");
            }
        }
        var differences = current.Where(kv => !Ignored.Contains(kv.Key) && !ResumableSettings.Contains(kv.Key) && !NotedSettings.ContainsKey(kv.Key)
                && !JsonNode.DeepEquals(kv.Value, saved[kv.Key]))
            .Select(kv => $"{kv.Key} (checkpoint {saved[kv.Key]?.ToJsonString() ?? "missing"}, now {kv.Value?.ToJsonString()})")
            .ToList();
        if (differences.Count > 0)
        {
            throw new CheckpointException(checkpoint.FilePath, "was written with a different configuration: " + string.Join("; ", differences));
        }
    }

    /// <summary>The checkpoint must have been written for a dataset of the same size.</summary>
    public static void CompareDataset(LoadedCheckpoint checkpoint, int count)
    {
        int saved = checkpoint.Get<int>("dataset_count");
        if (saved != count)
        {
            throw new CheckpointException(checkpoint.FilePath, $"was written for a dataset of {saved} images, this one has {count}");
        }
    }
}
