using AmtSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Models.Interop;

/// <summary>
/// Copies a canonical (flat MAE / timm) state dict into one of our modules. Values are copied into the module's own
/// tensors under no_grad, so each parameter keeps the requires_grad our module gave it (trainable weights stay
/// trainable, the fixed position tables stay frozen) whatever the file recorded. Nothing is copied unless
/// everything fits.
/// </summary>
internal static class WeightLoader
{
    private static readonly Dictionary<KeyRole, string> IgnoreReasons = new()
    {
        [KeyRole.Head] = "fine-tuning head (classifier / global-pool fc_norm; not part of the encoder)",
        [KeyRole.Decoder] = "pretraining decoder (not part of the encoder)",
    };

    /// <summary>
    /// Loads <paramref name="state"/> (canonical key → tensor) into <paramref name="target"/>. <paramref name="map"/>
    /// gives the module key for a canonical key, or null when that role is not loaded into this target.
    /// </summary>
    public static InteropReport Apply(nn.Module target, string targetDescription, LoadedWeights source,
        IReadOnlyDictionary<string, Tensor> state, Func<string, KeyRole, string?> map, bool strict, IEnumerable<string> notes)
    {
        string path = source.FilePath;
        var targetState = target.state_dict();
        var plan = new Dictionary<string, (string Source, Tensor Tensor)>(StringComparer.Ordinal);
        var ignored = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        foreach (var (key, tensor) in state)
        {
            var role = StateDictKeys.Role(key);
            string? targetKey = role == KeyRole.Unknown ? null : map(key, role);
            if (targetKey is not null && targetState.ContainsKey(targetKey))
            {
                plan[targetKey] = (key, tensor);
            }
            else if (targetKey is null && IgnoreReasons.TryGetValue(role, out var reason))
            {
                (ignored.TryGetValue(reason, out var list) ? list : ignored[reason] = []).Add(key);
            }
            else
            {
                unexpected.Add(key);
            }
        }
        var missing = targetState.Keys.Where(k => !plan.ContainsKey(k)).ToList();

        var allNotes = notes.ToList();
        var values = PrepareValues(targetState, plan, path, allNotes);
        try
        {
            if (strict && (missing.Count > 0 || unexpected.Count > 0))
            {
                throw new CheckpointException(path, $"does not fit the {targetDescription}: {Explain(missing, unexpected, state)}");
            }
            using var noGrad = no_grad();
            foreach (var (key, value) in values)
            {
                targetState[key].copy_(value);
            }
        }
        finally
        {
            foreach (var (key, value) in values)
            {
                if (!ReferenceEquals(value, plan[key].Tensor))
                {
                    value.Dispose();
                }
            }
        }
        return new InteropReport(path, source.Format, targetDescription,
            targetState.Keys.Where(plan.ContainsKey).ToList(), missing, unexpected,
            ignored.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value), allNotes);
    }

    /// <summary>
    /// The value to copy for each planned key: the file's tensor, or its position table resized to the model's grid.
    /// Any other shape difference is refused, naming every key concerned.
    /// </summary>
    private static Dictionary<string, Tensor> PrepareValues(Dictionary<string, Tensor> targetState,
        Dictionary<string, (string Source, Tensor Tensor)> plan, string path, List<string> notes)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var mismatches = new List<string>();
        var converted = new List<string>();
        foreach (var (key, (sourceKey, tensor)) in plan)
        {
            var model = targetState[key];
            if (key.EndsWith("pos_embed", StringComparison.Ordinal) && ResizablePositions(tensor, model) is { } grids)
            {
                notes.Add(PositionEmbeddingResize.IsSinCos(tensor) ? $"{sourceKey}: fixed 2-D sin-cos" : $"{sourceKey}: learned");
                values[key] = PositionEmbeddingResize.Resize(tensor, grids.To);
                notes.Add(grids.From == grids.To
                    ? $"{sourceKey}: the file has no [CLS] position; a zero one was added"
                    : $"{sourceKey}: resized from a {grids.From}×{grids.From} to a {grids.To}×{grids.To} grid (bicubic)");
                continue;
            }
            if (!tensor.shape.SequenceEqual(model.shape))
            {
                mismatches.Add($"'{sourceKey}' is {Shapes.Format(tensor.shape)} in the file but {Shapes.Format(model.shape)} in the model");
                continue;
            }
            if (key.EndsWith("pos_embed", StringComparison.Ordinal))
            {
                notes.Add(PositionEmbeddingResize.IsSinCos(tensor) ? $"{sourceKey}: fixed 2-D sin-cos" : $"{sourceKey}: learned");
            }
            if (tensor.dtype != model.dtype)
            {
                converted.Add($"{tensor.dtype} to {model.dtype}");
            }
            values[key] = tensor;
        }
        notes.AddRange(converted.GroupBy(c => c).Select(g => $"converted {g.Count()} tensors from {g.Key}"));
        if (mismatches.Count > 0)
        {
            foreach (var (key, value) in values)
            {
                if (!ReferenceEquals(value, plan[key].Tensor))
                {
                    value.Dispose();
                }
            }
            throw new CheckpointException(path, $"has shapes that do not fit the model: {string.Join("; ", mismatches)}");
        }
        return values;
    }

    /// <summary>(file grid, model grid) when both are position tables of the same width on square grids of different size.</summary>
    private static (int From, int To)? ResizablePositions(Tensor file, Tensor model)
    {
        if (file.shape.SequenceEqual(model.shape) || file.dim() != 3 || model.dim() != 3 || file.shape[0] != 1 || file.shape[2] != model.shape[2])
        {
            return null;
        }
        return PositionEmbeddingResize.Layout(file.shape[1]) is var (from, _) && PositionEmbeddingResize.Layout(model.shape[1]) is (var to, true)
            ? (from, to)
            : null;
    }

    private static string Explain(List<string> missing, List<string> unexpected, IReadOnlyDictionary<string, Tensor> state)
    {
        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add($"missing from the file: {InteropReport.Abbreviate(missing)}");
        }
        if (missing.Any(k => k is "norm.weight" or "encoder.norm.weight") && state.ContainsKey("fc_norm.weight"))
        {
            parts.Add("the file was fine-tuned with global pooling: it has fc_norm.* (applied after pooling) instead of the final norm.* "
                + "(applied to every token), so it cannot stand in for it; use the pretraining checkpoint");
        }
        if (unexpected.Count > 0)
        {
            parts.Add($"layers this model does not have: {InteropReport.Abbreviate(unexpected)}");
        }
        parts.Add("load non-strictly to use the rest");
        return string.Join("; ", parts);
    }
}
