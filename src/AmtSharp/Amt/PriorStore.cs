using AmtSharp.Core;
using static TorchSharp.torch;

namespace AmtSharp.Amt;

/// <summary>
/// How the stored maps look: entropy (each map treated as a distribution over its L cells after dividing by its sum),
/// where their highest cells lie, and how much they changed since the previous refresh.
/// </summary>
/// <param name="Maps">Number of maps.</param>
/// <param name="MeanEntropyNats">Mean entropy in nats (an all-zero map counts as uniform: the ε draw treats it so).</param>
/// <param name="MaxEntropyNats">log L, the entropy of a uniform map.</param>
/// <param name="MeanEntropyFraction">MeanEntropyNats / log L: 1 = flat maps, small = peaked maps.</param>
/// <param name="CentreTopQuartile">
/// Mean share of each map's ⌈L/4⌉ highest cells that lie in the central region (the middle half of the rows and of the
/// columns); <see cref="CentreShare"/> is what random cells would give.
/// </param>
/// <param name="CentreShare">The central region's share of all cells (0.25 on a grid whose side is a multiple of 4).</param>
/// <param name="RankCorrelationWithPrevious">
/// Mean Spearman correlation between each map and the same image's map before this refresh; null at the first refresh
/// (the store then held its all-ones start).
/// </param>
public sealed record PriorStatistics(
    int Maps,
    double MeanEntropyNats,
    double MaxEntropyNats,
    double MeanEntropyFraction,
    double? CentreTopQuartile = null,
    double? CentreShare = null,
    double? RankCorrelationWithPrevious = null);

/// <summary>
/// The attention prior cache (docs/method.md#prior-refresh): one G×G map per training image, indexed by dataset index, in a
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

    /// <summary>
    /// Entropy and centre share of the maps (log them at each refresh); with <paramref name="previous"/> (the store's
    /// <see cref="ToArray"/> before the refresh) also the rank correlation with it.
    /// </summary>
    public PriorStatistics Statistics(float[]? previous = null)
    {
        if (previous is not null && previous.Length != data.Length)
        {
            throw new ArgumentException($"previous maps hold {previous.Length} values, this store {data.Length}", nameof(previous));
        }
        double maxEntropy = Math.Log(Cells);
        var centre = CentreCells(GridSize);
        int top = (Cells + 3) / 4;
        double entropy = 0, centreTop = 0, correlation = 0;
        for (int n = 0; n < Count; n++)
        {
            var map = Row(n);
            entropy += Entropy(map, maxEntropy);
            centreTop += Highest(map, top).Count(c => centre[c]) / (double)top;
            if (previous is not null)
            {
                correlation += RankStatistics.Spearman(previous.AsSpan(n * Cells, Cells), map);
            }
        }
        double mean = entropy / Count;
        return new PriorStatistics(Count, mean, maxEntropy, Cells == 1 ? 1.0 : mean / maxEntropy,
            centreTop / Count, centre.Count(c => c) / (double)Cells, previous is null ? null : correlation / Count);
    }

    /// <summary>The cells of the central region: rows and columns in [G/4, 3G/4), by cell centre.</summary>
    public static bool[] CentreCells(int gridSize)
    {
        var centre = new bool[gridSize * gridSize];
        for (int r = 0; r < gridSize; r++)
        {
            for (int c = 0; c < gridSize; c++)
            {
                centre[r * gridSize + c] = Central(r, gridSize) && Central(c, gridSize);
            }
        }
        return centre;

        static bool Central(int i, int g) => 4 * i + 2 >= g && 4 * i + 2 < 3 * g;   // centre (i + ½)/g in [¼, ¾)
    }

    /// <summary>The <paramref name="count"/> highest cells of a map; ties (flat maps) resolve by cell index.</summary>
    public static IEnumerable<int> Highest(ReadOnlySpan<float> map, int count)
    {
        var values = map.ToArray();
        return Enumerable.Range(0, values.Length).OrderByDescending(c => values[c]).ThenBy(c => c).Take(count).ToArray();
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
