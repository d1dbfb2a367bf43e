using static TorchSharp.torch;

namespace AmtSharp.Training.Checkpoints;

/// <summary>Counts NaN and infinite values in a checkpoint's tensors and arrays, so that none is ever called "last good".</summary>
public static class Finiteness
{
    /// <summary>How many values are not finite, and in which entries (empty when all are finite).</summary>
    public static (long Count, IReadOnlyList<string> Entries) Check(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, FloatArray> arrays)
    {
        long count = 0;
        var entries = new List<string>();
        foreach (var (name, tensor) in tensors)
        {
            // Integer tensors (step counters) cannot hold NaN.
            if (tensor.dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16))
            {
                continue;
            }
            using var scope = NewDisposeScope();
            long bad = tensor.isfinite().logical_not().sum().item<long>();
            if (bad > 0)
            {
                count += bad;
                entries.Add(name);
            }
        }
        foreach (var (name, array) in arrays)
        {
            long bad = array.Data.LongCount(v => !float.IsFinite(v));
            if (bad > 0)
            {
                count += bad;
                entries.Add(name);
            }
        }
        return (count, entries);
    }
}
