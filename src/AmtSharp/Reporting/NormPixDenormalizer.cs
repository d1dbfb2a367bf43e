namespace AmtSharp.Reporting;

/// <summary>Where the mean and standard deviation that undo MAE's per-patch normalisation come from.</summary>
public enum NormPixStatistics
{
    /// <summary>
    /// The true (hidden) patch's own statistics: exact colours and contrast, but it borrows information the model
    /// never saw, so a blank prediction already looks like a blurred patch.
    /// </summary>
    TruePatch,

    /// <summary>
    /// The mean of the per-patch means and variances of the nearest visible patches: only what the model saw, so
    /// colours of objects hidden entirely are not recovered.
    /// </summary>
    NearestVisible,
}

/// <summary>
/// Turns MAE predictions made against norm-pix targets back into pixels by undoing the per-patch normalisation
/// with a mean and (unbiased) variance — of the TRUE patch, or of nearby visible patches
/// (<see cref="NormPixStatistics"/>). Figures showing the result must say which: use <see cref="TitleFor"/>.
/// </summary>
public static class NormPixDenormalizer
{
    /// <summary>A column title that states where the patch statistics come from (true patch).</summary>
    public const string ColumnTitle = "reconstruction (norm-pix, true patch stats)";

    /// <summary>A column title for <see cref="NormPixStatistics.NearestVisible"/>.</summary>
    public const string VisibleColumnTitle = "reconstruction (norm-pix, nearest visible patch stats)";

    /// <summary>Visible patches pooled for <see cref="NormPixStatistics.NearestVisible"/>.</summary>
    public const int Neighbours = 4;

    public static string TitleFor(NormPixStatistics statistics) =>
        statistics == NormPixStatistics.TruePatch ? ColumnTitle : VisibleColumnTitle;

    /// <summary>
    /// The ImageNet-normalised image [3, S, S] with the listed patches replaced by de-normalised predictions, using
    /// each true patch's own statistics.
    /// </summary>
    /// <param name="normalizedChw">True image, ImageNet-normalised, channel-first 3·S·S floats.</param>
    /// <param name="patchSize">Patch side p; S must be a multiple of p.</param>
    /// <param name="patchIndices">Row-major patch indices of the predictions (e.g. the plan's masked patches).</param>
    /// <param name="predictions">n·p²·3 floats in MAE patch layout: element (i·p + j)·3 + ch is pixel (i, j) of channel ch.</param>
    public static float[] Denormalize(float[] normalizedChw, int patchSize, IReadOnlyList<int> patchIndices, float[] predictions)
    {
        var patches = new PatchView(normalizedChw, patchSize);
        return patches.Replace(patchIndices, predictions, (n, patch) => patches.Statistics(patch));
    }

    /// <summary>
    /// Like <see cref="Denormalize"/>, but each predicted patch takes the mean of the means and the mean of the
    /// variances of the <see cref="Neighbours"/> visible patches nearest to it (patch-centre distance, ties by
    /// index); the other arguments are as there. <paramref name="codes"/>: per patch 1 masked, −1 thrown, 0 visible
    /// (at least one visible patch).
    /// </summary>
    public static float[] DenormalizeFromVisible(float[] normalizedChw, int patchSize, IReadOnlyList<int> patchIndices,
        float[] predictions, int[] codes)
    {
        var patches = new PatchView(normalizedChw, patchSize);
        if (codes.Length != patches.Grid * patches.Grid)
        {
            throw new ArgumentException($"expected {patches.Grid * patches.Grid} patch codes, got {codes.Length}", nameof(codes));
        }
        var visible = Enumerable.Range(0, codes.Length).Where(i => codes[i] == 0).ToArray();
        if (visible.Length == 0)
        {
            throw new ArgumentException("no visible patch to take statistics from", nameof(codes));
        }
        var stats = visible.ToDictionary(v => v, patches.Statistics);
        return patches.Replace(patchIndices, predictions, (n, patch) =>
        {
            int g = patches.Grid;
            var nearest = visible
                .OrderBy(v => Math.Pow(v / g - patch / g, 2) + Math.Pow(v % g - patch % g, 2))
                .ThenBy(v => v)
                .Take(Neighbours)
                .ToArray();
            return (nearest.Average(v => stats[v].Mean), nearest.Average(v => stats[v].Variance));
        });
    }

    /// <summary>The listed patches replaced by predictions as they are (plain-pixel targets, no de-normalisation).</summary>
    public static float[] Paste(float[] normalizedChw, int patchSize, IReadOnlyList<int> patchIndices, float[] predictions)
    {
        var patches = new PatchView(normalizedChw, patchSize);
        return patches.Replace(patchIndices, predictions, null);
    }

    /// <summary>
    /// Predictions in SimMIM's pixel-shuffle layout (ch·p² + i·p + j) → MAE layout ((i·p + j)·C + ch), per patch.
    /// </summary>
    public static float[] ChannelsFirstToMaeLayout(float[] predictions, int patchSize, int channels = 3)
    {
        int pixels = patchSize * patchSize, length = pixels * channels;
        if (predictions.Length % length != 0)
        {
            throw new ArgumentException($"{predictions.Length} floats is not a whole number of {length}-float patches", nameof(predictions));
        }
        var result = new float[predictions.Length];
        for (int start = 0; start < predictions.Length; start += length)
        {
            for (int ch = 0; ch < channels; ch++)
            {
                for (int pixel = 0; pixel < pixels; pixel++)
                {
                    result[start + pixel * channels + ch] = predictions[start + ch * pixels + pixel];
                }
            }
        }
        return result;
    }

    /// <summary>Patch-wise access to a channel-first image in MAE's patch layout.</summary>
    private sealed class PatchView
    {
        private readonly float[] image;
        private readonly int patchSize;
        private readonly int size;

        public PatchView(float[] normalizedChw, int patchSize)
        {
            size = Raster.SideOf(normalizedChw, nameof(normalizedChw));
            if (patchSize < 1 || size % patchSize != 0)
            {
                throw new ArgumentException($"image side {size} is not a multiple of patch size {patchSize}", nameof(patchSize));
            }
            image = normalizedChw;
            this.patchSize = patchSize;
            Grid = size / patchSize;
        }

        public int Grid { get; }

        public int Length => patchSize * patchSize * 3;

        // Element k of a patch in MAE layout: pixel k / 3, channel k % 3.
        public int Offset(int patch, int k)
        {
            int pixel = k / 3, ch = k % 3;
            int y = patch / Grid * patchSize + pixel / patchSize, x = patch % Grid * patchSize + pixel % patchSize;
            return ch * size * size + y * size + x;
        }

        /// <summary>Mean and unbiased variance over the patch's p²·3 values (MAE's norm-pix statistics).</summary>
        public (double Mean, double Variance) Statistics(int patch)
        {
            double sum = 0, sumSquares = 0;
            for (int k = 0; k < Length; k++)
            {
                double v = image[Offset(patch, k)];
                sum += v;
                sumSquares += v * v;
            }
            double mean = sum / Length;
            return (mean, Math.Max(0, (sumSquares - Length * mean * mean) / (Length - 1)));
        }

        /// <summary>A copy with patches replaced by predictions · √(variance + 1e-6) + mean (or as they are when null).</summary>
        public float[] Replace(IReadOnlyList<int> patchIndices, float[] predictions, Func<int, int, (double Mean, double Variance)>? statistics)
        {
            if (predictions.Length != patchIndices.Count * Length)
            {
                throw new ArgumentException($"expected {patchIndices.Count}·{Length} prediction floats, got {predictions.Length}", nameof(predictions));
            }
            var result = (float[])image.Clone();
            for (int n = 0; n < patchIndices.Count; n++)
            {
                int patch = patchIndices[n];
                if (patch < 0 || patch >= Grid * Grid)
                {
                    throw new ArgumentOutOfRangeException(nameof(patchIndices), $"patch index {patch} outside 0…{Grid * Grid - 1}");
                }
                double mean = 0, std = 1;
                if (statistics is not null)
                {
                    var (m, variance) = statistics(n, patch);
                    (mean, std) = (m, Math.Sqrt(variance + 1e-6));
                }
                for (int k = 0; k < Length; k++)
                {
                    result[Offset(patch, k)] = (float)(predictions[n * Length + k] * std + mean);
                }
            }
            return result;
        }
    }
}
