using static TorchSharp.torch;

namespace AmtSharp.Amt;

/// <summary>Entropy of the stored maps, each treated as a distribution over its L cells after dividing by its sum.</summary>
/// <param name="Maps">Number of maps.</param>
/// <param name="MeanEntropyNats">Mean entropy in nats (an all-zero map counts as uniform: the ε draw treats it so).</param>
/// <param name="MaxEntropyNats">log L, the entropy of a uniform map.</param>
/// <param name="MeanEntropyFraction">MeanEntropyNats / log L: 1 = flat maps, small = peaked maps.</param>
public sealed record PriorStatistics(int Maps, double MeanEntropyNats, double MaxEntropyNats, double MeanEntropyFraction);

/// <summary>
/// The attention prior cache (amt-method §6): one G×G map per training image, indexed by dataset index, in a
/// managed float[] (N·L floats) that lives outside every tensor scope. Initialised to ones (never read before the
/// first refresh). Part of the training state: saved in checkpoints with the epoch it was computed at.
/// </summary>
public sealed class PriorStore
{
    private readonly float[] data;

    public PriorStore(int count, int gridSize)
    {
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"need at least one image, got {count}");
        }
        if (gridSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(gridSize), $"grid side must be positive, got {gridSize}");
        }
        Count = count;
        GridSize = gridSize;
        data = new float[checked((long)count * Cells)];
        Array.Fill(data, 1f);
    }

    /// <summary>N: images in the dataset.</summary>
    public int Count { get; }

    /// <summary>G: the patch-grid side.</summary>
    public int GridSize { get; }

    /// <summary>L = G²: values per map.</summary>
    public int Cells => GridSize * GridSize;

    /// <summary>Epoch after which the maps were last computed; −1 if never.</summary>
    public int ComputedAtEpoch { get; private set; } = -1;

    /// <summary>Stores priors [B, L] (any device, any float dtype) at the dataset indices of a batch.</summary>
    public void Set(int[] indices, Tensor priors)
    {
        if (priors.dim() != 2 || priors.shape[0] != indices.Length || priors.shape[1] != Cells)
        {
            throw new ArgumentException(
                $"priors must be [{indices.Length}, {Cells}] (one {GridSize}×{GridSize} map per index), got [{string.Join(", ", priors.shape)}]",
                nameof(priors));
        }
        using var cpu = priors.detach().to(ScalarType.Float32).cpu().contiguous();
        var values = cpu.data<float>().ToArray();
        for (int i = 0; i < indices.Length; i++)
        {
            var target = Row(indices[i]);
            for (int j = 0; j < Cells; j++)
            {
                target[j] = values[i * Cells + j];
            }
        }
    }

    /// <summary>Records that a full refresh pass finished at the end of <paramref name="epoch"/>.</summary>
    public void MarkComputed(int epoch) => ComputedAtEpoch = epoch;

    /// <summary>The map of one image, L values in raster order (a view; valid until the next Set).</summary>
    public ReadOnlySpan<float> Get(int index) => Row(index);

    /// <summary>A copy of the map of one image.</summary>
    public float[] GetCopy(int index) => Row(index).ToArray();

    /// <summary>All maps, N·L floats, for a checkpoint (a copy).</summary>
    public float[] ToArray() => (float[])data.Clone();

    /// <summary>Restores a store from a checkpoint, refusing data whose shape does not match the dataset and grid.</summary>
    public static PriorStore FromArray(float[] values, int count, int gridSize, int computedAtEpoch)
    {
        var store = new PriorStore(count, gridSize);
        int cells = store.Cells;
        if (values.Length != store.data.Length)
        {
            string found = values.Length % cells == 0
                ? $"{values.Length / cells} maps of {cells} cells"
                : $"{values.Length} floats, not a whole number of {gridSize}×{gridSize} maps";
            throw new ArgumentException(
                $"prior checkpoint holds {found}, but the dataset has {count} images × {cells} cells ({gridSize}×{gridSize} grid)",
                nameof(values));
        }
        Array.Copy(values, store.data, values.Length);
        store.ComputedAtEpoch = computedAtEpoch;
        return store;
    }

    /// <summary>Mean entropy of the normalised maps (how peaked the prior is; log it at each refresh).</summary>
    public PriorStatistics Statistics()
    {
        double maxEntropy = Math.Log(Cells);
        double total = 0;
        for (int n = 0; n < Count; n++)
        {
            total += Entropy(Row(n), maxEntropy);
        }
        double mean = total / Count;
        return new PriorStatistics(Count, mean, maxEntropy, Cells == 1 ? 1.0 : mean / maxEntropy);
    }

    private static double Entropy(ReadOnlySpan<float> map, double uniform)
    {
        double sum = 0;
        foreach (float v in map)
        {
            sum += Math.Max(v, 0f);
        }
        if (!(sum > 0))
        {
            return uniform;
        }
        double h = 0;
        foreach (float v in map)
        {
            double p = Math.Max(v, 0f) / sum;
            if (p > 0)
            {
                h -= p * Math.Log(p);
            }
        }
        return h;
    }

    private Span<float> Row(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"dataset index {index} is outside 0 … {Count - 1}");
        }
        return data.AsSpan(index * Cells, Cells);
    }
}
