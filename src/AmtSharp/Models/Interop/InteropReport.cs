namespace AmtSharp.Models.Interop;

/// <summary>What loading a foreign weight file did.</summary>
/// <param name="FilePath">The file read.</param>
/// <param name="Format">Its format.</param>
/// <param name="Target">What it was loaded into, e.g. "ViT encoder (16 px, patch 4, width 32, depth 2, 4 heads)".</param>
/// <param name="Loaded">Model keys filled from the file.</param>
/// <param name="Missing">Model keys the file lacks (left at their initial values; only when not strict).</param>
/// <param name="Unexpected">File keys the model has no place for (skipped; only when not strict).</param>
/// <param name="Ignored">File keys deliberately skipped, by reason (classifier head, pretraining decoder, …).</param>
/// <param name="Notes">Everything else worth knowing: entry used, prefixes removed, position embedding kind and resizing, dtype conversions.</param>
public sealed record InteropReport(
    string FilePath,
    WeightsFormat Format,
    string Target,
    IReadOnlyList<string> Loaded,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Ignored,
    IReadOnlyList<string> Notes)
{
    /// <summary>One paragraph for a console.</summary>
    public string Describe()
    {
        var parts = new List<string> { $"loaded {Loaded.Count} tensors from {Format} file '{FilePath}' into the {Target}" };
        parts.AddRange(Notes);
        parts.AddRange(Ignored.Select(kv => $"ignored {kv.Key}: {Abbreviate(kv.Value)}"));
        if (Missing.Count > 0)
        {
            parts.Add($"NOT in the file, left at initial values: {Abbreviate(Missing)}");
        }
        if (Unexpected.Count > 0)
        {
            parts.Add($"skipped, no place in this model: {Abbreviate(Unexpected)}");
        }
        return string.Join("; ", parts);
    }

    /// <summary>"a, b, c" or "a, b, c, d … and 21 more (25)".</summary>
    public static string Abbreviate(IReadOnlyList<string> keys, int max = 6) =>
        keys.Count <= max ? string.Join(", ", keys) : $"{string.Join(", ", keys.Take(max - 2))} … and {keys.Count - (max - 2)} more ({keys.Count} keys)";
}
