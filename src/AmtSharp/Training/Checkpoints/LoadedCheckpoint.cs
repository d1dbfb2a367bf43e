using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Training.Checkpoints;

/// <summary>A verified checkpoint in memory. Owns its tensors; dispose it after applying.</summary>
public sealed class LoadedCheckpoint : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    internal LoadedCheckpoint(string path, JsonObject metadata, Dictionary<string, Tensor> tensors, Dictionary<string, FloatArray> arrays)
    {
        FilePath = path;
        Metadata = metadata;
        _tensors = tensors;
        Arrays = arrays;
    }

    public string FilePath { get; }
    public JsonObject Metadata { get; }
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;
    public IReadOnlyDictionary<string, FloatArray> Arrays { get; }

    /// <summary>A metadata entry deserialised to <typeparamref name="T"/>; throws naming the file if absent.</summary>
    public T Get<T>(string key)
    {
        if (!Metadata.TryGetPropertyValue(key, out var node) || node is null)
        {
            throw new CheckpointException(FilePath, $"has no metadata entry '{key}'");
        }
        try
        {
            return node.Deserialize<T>() ?? throw new CheckpointException(FilePath, $"metadata entry '{key}' is null");
        }
        catch (JsonException e)
        {
            throw new CheckpointException(FilePath, $"metadata entry '{key}' is not a {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>The tensors of one section ("model", "optim", …) with the section prefix removed.</summary>
    public IReadOnlyDictionary<string, Tensor> Section(string section)
    {
        string prefix = section + CheckpointData.SectionSeparator;
        return _tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Copies section <paramref name="section"/> into <paramref name="module"/>. Throws
    /// <see cref="CheckpointException"/> listing missing keys, unexpected keys and shape mismatches.
    /// </summary>
    public ModuleStateReport ApplyModule(string section, nn.Module module, bool strict = true)
    {
        var entries = Section(section);
        if (entries.Count == 0)
        {
            throw new CheckpointException(FilePath, $"has no section '{section}'");
        }
        return ModuleState.Apply(module, entries, strict, FilePath);
    }

    /// <summary>
    /// Restores optimizer state saved with <see cref="CheckpointData.AddOptimizer"/>. When both the file and
    /// the caller give parameter names, their order must agree.
    /// </summary>
    public void ApplyOptimizer(string section, object optimizer, IEnumerable<string>? parameterNames = null)
    {
        var entries = Section(section);
        if (entries.Count == 0)
        {
            throw new CheckpointException(FilePath, $"has no section '{section}'");
        }
        if (parameterNames is not null && Metadata[CheckpointData.ParameterNamesKey(section)] is JsonArray saved)
        {
            var expected = parameterNames.ToList();
            var stored = saved.Select(n => n?.GetValue<string>() ?? "").ToList();
            int firstDiff = Enumerable.Range(0, Math.Min(expected.Count, stored.Count)).FirstOrDefault(i => expected[i] != stored[i], -1);
            if (stored.Count != expected.Count || firstDiff >= 0)
            {
                string where = firstDiff >= 0
                    ? $"position {firstDiff} is '{stored[firstDiff]}' in the file but '{expected[firstDiff]}' in the optimizer"
                    : $"the file has {stored.Count} parameters, the optimizer {expected.Count}";
                throw new CheckpointException(FilePath, $"section '{section}' was saved for a different parameter order: {where}");
            }
        }
        try
        {
            OptimizerState.Import(optimizer, entries);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException(FilePath, $"section '{section}' does not match the optimizer: {e.Message}", e);
        }
    }

    /// <summary>A float array entry; throws naming the file if absent.</summary>
    public FloatArray Array(string name) =>
        Arrays.TryGetValue(name, out var a) ? a : throw new CheckpointException(FilePath, $"has no array '{name}'");

    public void Dispose()
    {
        foreach (var t in _tensors.Values)
        {
            t.Dispose();
        }
        _tensors.Clear();
    }
}
