using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace AmtSharp.Training.Checkpoints;

/// <summary>
/// Compares two checkpoints entry by entry: every tensor and float array bit for bit, and the metadata except
/// wall-clock entries. Exact resume promises exactly this equality, so it is what a kill-and-resume check asserts.
/// </summary>
public static class CheckpointComparison
{
    /// <summary>Metadata that measures time, not state: it legitimately differs between two identical runs.</summary>
    public static readonly IReadOnlySet<string> TimingKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "train_seconds", "refresh_seconds",
    };

    /// <summary>
    /// One line per difference; empty when the checkpoints hold the same state. A path may be a checkpoint file
    /// or a run folder (its newest valid checkpoint).
    /// </summary>
    public static IReadOnlyList<string> Compare(string pathA, string pathB)
    {
        using var a = CheckpointFolder.LoadFileOrNewest(pathA);
        using var b = CheckpointFolder.LoadFileOrNewest(pathB);
        return Compare(a, b);
    }

    public static IReadOnlyList<string> Compare(LoadedCheckpoint a, LoadedCheckpoint b)
    {
        var differences = new List<string>();
        CompareKeys("tensor", a.Tensors.Keys, b.Tensors.Keys, differences);
        foreach (var (name, ta) in a.Tensors)
        {
            if (b.Tensors.TryGetValue(name, out var tb) && !SameTensor(ta, tb))
            {
                differences.Add($"tensor '{name}' differs ({Describe(ta)} vs {Describe(tb)})");
            }
        }
        CompareKeys("array", a.Arrays.Keys, b.Arrays.Keys, differences);
        foreach (var (name, fa) in a.Arrays)
        {
            if (b.Arrays.TryGetValue(name, out var fb) && !SameArray(fa, fb))
            {
                differences.Add($"array '{name}' differs");
            }
        }
        CompareKeys("metadata", StateKeys(a.Metadata), StateKeys(b.Metadata), differences);
        foreach (string key in StateKeys(a.Metadata))
        {
            if (b.Metadata.TryGetPropertyValue(key, out var vb) && !JsonNode.DeepEquals(a.Metadata[key], vb))
            {
                differences.Add($"metadata '{key}' differs: {a.Metadata[key]?.ToJsonString()} vs {vb?.ToJsonString()}");
            }
        }
        return differences;
    }

    private static IEnumerable<string> StateKeys(JsonObject metadata) =>
        metadata.Select(kv => kv.Key).Where(k => !TimingKeys.Contains(k));

    private static void CompareKeys(string kind, IEnumerable<string> a, IEnumerable<string> b, List<string> differences)
    {
        var setB = b.ToHashSet(StringComparer.Ordinal);
        var setA = a.ToHashSet(StringComparer.Ordinal);
        differences.AddRange(setA.Where(k => !setB.Contains(k)).Order(StringComparer.Ordinal).Select(k => $"{kind} '{k}' only in the first"));
        differences.AddRange(setB.Where(k => !setA.Contains(k)).Order(StringComparer.Ordinal).Select(k => $"{kind} '{k}' only in the second"));
    }

    // Bitwise, not numeric: NaN must equal NaN and -0 must differ from +0 for "bit-identical" to mean what it says.
    private static bool SameTensor(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape))
        {
            return false;
        }
        using var ca = a.contiguous();
        using var cb = b.contiguous();
        return ca.bytes.SequenceEqual(cb.bytes);
    }

    private static bool SameArray(FloatArray a, FloatArray b) =>
        a.Shape.SequenceEqual(b.Shape)
        && System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.Data.AsSpan())
            .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.Data.AsSpan()));

    private static string Describe(Tensor t) => $"{t.dtype} [{string.Join(",", t.shape)}]";
}
