using AmtSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Training.Checkpoints;

/// <summary>How a state dict lines up with a module.</summary>
public sealed record ModuleStateReport(
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<string> ShapeMismatches)
{
    /// <summary>Every key matches by name and shape.</summary>
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && ShapeMismatches.Count == 0;

    public string Describe()
    {
        var parts = new List<string>();
        if (Missing.Count > 0)
        {
            parts.Add($"missing keys ({Missing.Count}): {string.Join(", ", Missing)}");
        }
        if (Unexpected.Count > 0)
        {
            parts.Add($"unexpected keys ({Unexpected.Count}): {string.Join(", ", Unexpected)}");
        }
        if (ShapeMismatches.Count > 0)
        {
            parts.Add($"shape mismatches ({ShapeMismatches.Count}): {string.Join("; ", ShapeMismatches)}");
        }
        return parts.Count == 0 ? "exact match" : string.Join(" | ", parts);
    }
}

/// <summary>Compares and copies named tensors into a module's state dict.</summary>
public static class ModuleState
{
    public static ModuleStateReport Compare(nn.Module module, IReadOnlyDictionary<string, Tensor> entries)
    {
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !entries.ContainsKey(k)).ToList();
        var unexpected = entries.Keys.Where(k => !target.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var mismatched = target
            .Where(kv => entries.TryGetValue(kv.Key, out var src) && !src.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"{kv.Key}: checkpoint {Shapes.Format(entries[kv.Key].shape)} vs model {Shapes.Format(kv.Value.shape)}")
            .ToList();
        return new ModuleStateReport(missing, unexpected, mismatched);
    }

    /// <summary>
    /// Copies matching entries into the module's existing tensors (so optimizers stay valid).
    /// Shape mismatches always fail; missing/unexpected keys fail only when <paramref name="strict"/>.
    /// Nothing is copied when it fails.
    /// </summary>
    public static ModuleStateReport Apply(nn.Module module, IReadOnlyDictionary<string, Tensor> entries, bool strict, string source)
    {
        var report = Compare(module, entries);
        if (report.ShapeMismatches.Count > 0 || (strict && !report.IsExact))
        {
            throw new CheckpointException(source, $"does not match the {module.GetName()} module: {report.Describe()}");
        }
        using var noGrad = torch.no_grad();
        foreach (var (key, t) in module.state_dict())
        {
            if (entries.TryGetValue(key, out var src))
            {
                t.copy_(src);
            }
        }
        return report;
    }
}
