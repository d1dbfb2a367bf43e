using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Models.Vit;

namespace AmtSharp.Amt;

/// <summary>
/// How peaked and where the maps of a <see cref="PriorStore"/> are: entropy (mean and spread), the share of each
/// map's mass in its top quartile of cells, and the share in the centre of the image. Each figure has a flat-map
/// reference beside it, so "is the prior informative yet?" can be read off directly.
/// </summary>
/// <param name="Maps">Number of maps.</param>
/// <param name="GridSize">G, the patch-grid side.</param>
/// <param name="Entropy">Mean entropy (see <see cref="PriorStore.Statistics"/>).</param>
/// <param name="EntropyFractionP10">10th percentile over maps of entropy / log L.</param>
/// <param name="EntropyFractionMedian">Median of entropy / log L.</param>
/// <param name="EntropyFractionP90">90th percentile of entropy / log L.</param>
/// <param name="TopQuartileMass">Mean share of a map's total in its ⌈L/4⌉ highest cells (a flat map gives ⌈L/4⌉/L).</param>
/// <param name="TopQuartileCells">⌈L/4⌉.</param>
/// <param name="CentreMass">Mean share of a map's total in the central square of side ⌈G/2⌉.</param>
/// <param name="CentreCells">Cells of that square (a flat map gives CentreCells / L).</param>
/// <param name="FlatMaps">Maps that are constant (no information; every draw from them is uniform).</param>
public sealed record PriorSummary(
    int Maps,
    int GridSize,
    PriorStatistics Entropy,
    double EntropyFractionP10,
    double EntropyFractionMedian,
    double EntropyFractionP90,
    double TopQuartileMass,
    int TopQuartileCells,
    double CentreMass,
    int CentreCells,
    int FlatMaps)
{
    public int Cells => GridSize * GridSize;

    public static PriorSummary Of(PriorStore store)
    {
        int g = store.GridSize, cells = store.Cells, top = (cells + 3) / 4;
        int side = (g + 1) / 2, start = (g - side) / 2;
        bool Central(int i) => i >= start && i < start + side;
        var centre = Enumerable.Range(0, cells).Where(c => Central(c / g) && Central(c % g)).ToArray();
        double logL = Math.Log(cells);
        var fractions = new double[store.Count];
        double topMass = 0, centreMass = 0;
        int flat = 0;
        for (int n = 0; n < store.Count; n++)
        {
            var map = store.Get(n).ToArray().Select(v => Math.Max(v, 0f)).ToArray();
            double sum = map.Sum(v => (double)v);
            bool isFlat = !(sum > 0) || map.Max() - map.Min() < 1e-12f;
            if (isFlat)
            {
                flat++;
                fractions[n] = 1;
                topMass += (double)top / cells;
                centreMass += (double)centre.Length / cells;
                continue;
            }
            double h = 0;
            foreach (float v in map)
            {
                double p = v / sum;
                h -= p > 0 ? p * Math.Log(p) : 0;
            }
            fractions[n] = cells == 1 ? 1 : h / logL;
            topMass += map.OrderDescending().Take(top).Sum(v => (double)v) / sum;
            centreMass += centre.Sum(c => (double)map[c]) / sum;
        }
        Array.Sort(fractions);
        return new PriorSummary(store.Count, g, store.Statistics(), Percentile(fractions, 0.1), Percentile(fractions, 0.5),
            Percentile(fractions, 0.9), topMass / store.Count, top, centreMass / store.Count, centre.Length, flat);
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[(int)Math.Round(q * (sorted.Length - 1))];
}

/// <summary>
/// Whether the prior points at the object, on a dataset that knows its objects (synthetic shapes): the share of each
/// image's top-quartile prior cells that are foreground, beside the share of all cells that are foreground (what
/// cells picked at random would score).
/// </summary>
/// <param name="TopQuartileForeground">Mean over images of (foreground cells among the ⌈L/4⌉ highest) / ⌈L/4⌉.</param>
/// <param name="ForegroundShare">Mean over images of (foreground cells) / L.</param>
/// <param name="Images">Images measured.</param>
public sealed record ForegroundOverlap(double TopQuartileForeground, double ForegroundShare, int Images)
{
    /// <summary>A cell counts as foreground when at least this share of its pixels belongs to the object.</summary>
    public const double CellCoverage = 0.5;

    /// <summary>How many times better than chance (1 = no better than random cells).</summary>
    public double Lift => ForegroundShare > 0 ? TopQuartileForeground / ForegroundShare : double.NaN;

    /// <summary>Over the maps of <paramref name="store"/> (store index = source index); see <see cref="ObjectCells"/>.</summary>
    public static ForegroundOverlap Measure(PriorStore store, IForegroundMasks masks) =>
        ObjectCells.Of(masks, store.Count, store.GridSize).Score(store);

    /// <summary>
    /// The prior <paramref name="encoder"/> would give every image of <paramref name="source"/> (one prior pass), scored
    /// against its objects; null when the source has no foreground masks.
    /// </summary>
    public static ForegroundOverlap? OfEncoder(VisionTransformer encoder, IImageSource source, int batchSize, int workers,
        IPhaseProgress? progress = null)
    {
        if (source is not IForegroundMasks masks)
        {
            return null;
        }
        var store = new PriorStore(source.Count, encoder.Config.GridSize);
        PriorPass.Run(encoder, source, store, batchSize, workers,
            progress: progress is null ? null : done => progress.Report($"prior pass over {source.Name}", done, source.Count, "images"));
        return Measure(store, masks);
    }

}

/// <summary>
/// Which cells of the G×G grid each image's object covers (at least <see cref="ForegroundOverlap.CellCoverage"/> of
/// their pixels). The masks never change, so a training run renders them once and scores every refresh against them.
/// The masks are aligned with the whole source image, which the prior pass resizes to S×S, so cell (r, c) covers the
/// same fraction of both.
/// </summary>
public sealed class ObjectCells
{
    private readonly bool[][] cells;

    private ObjectCells(bool[][] cells, int gridSize) => (this.cells, GridSize) = (cells, gridSize);

    public int GridSize { get; }

    public int Count => cells.Length;

    /// <summary>Whether the object covers cell <paramref name="cell"/> (row-major) of image <paramref name="image"/>.</summary>
    public bool IsObject(int image, int cell) => cells[image][cell];

    /// <summary>Renders the masks of images 0 … <paramref name="count"/> − 1 (in parallel: rendering dominates).</summary>
    public static ObjectCells Of(IForegroundMasks masks, int count, int gridSize)
    {
        var cells = new bool[count][];
        Parallel.For(0, count, n => cells[n] = CellsCovered(masks.ForegroundMask(n, out int w, out int h), w, h, gridSize));
        return new ObjectCells(cells, gridSize);
    }

    /// <summary>The share of each map's ⌈L/4⌉ highest cells that are object, and of all cells, averaged over images.</summary>
    public ForegroundOverlap Score(PriorStore store)
    {
        if (store.Count != Count || store.GridSize != GridSize)
        {
            throw new ArgumentException($"prior store of {store.Count} maps on {store.GridSize}x{store.GridSize} does not match {Count} masks on {GridSize}x{GridSize}", nameof(store));
        }
        int total = store.Cells, top = (total + 3) / 4;
        double topShare = 0, share = 0;
        for (int n = 0; n < Count; n++)
        {
            var foreground = cells[n];
            // Stable order: ties (flat maps) resolve by cell index, deterministically.
            var highest = PriorStore.Highest(store.Get(n), top);
            topShare += highest.Count(c => foreground[c]) / (double)top;
            share += foreground.Count(f => f) / (double)total;
        }
        return new ForegroundOverlap(topShare / Count, share / Count, Count);
    }

    private static bool[] CellsCovered(float[] coverage, int width, int height, int g)
    {
        var sums = new double[g * g];
        var counts = new int[g * g];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int cell = Math.Min(g - 1, y * g / height) * g + Math.Min(g - 1, x * g / width);
                sums[cell] += coverage[y * width + x];
                counts[cell]++;
            }
        }
        return [.. sums.Select((s, i) => counts[i] > 0 && s / counts[i] >= ForegroundOverlap.CellCoverage)];
    }
}
