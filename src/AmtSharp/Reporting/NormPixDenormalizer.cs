namespace AmtSharp.Reporting;

/// <summary>
/// Turns MAE predictions made against norm-pix targets back into pixels by undoing the per-patch normalisation
/// with the mean and (unbiased) variance of the TRUE patch. This borrows information from the hidden patches, so
/// figures showing the result must say so — use <see cref="ColumnTitle"/>.
/// </summary>
public static class NormPixDenormalizer
{
    /// <summary>A column title that states where the patch statistics come from.</summary>
    public const string ColumnTitle = "reconstruction (norm-pix, true patch stats)";

    /// <summary>
    /// The ImageNet-normalised image [3, S, S] with the listed patches replaced by de-normalised predictions.
    /// </summary>
    /// <param name="normalizedChw">True image, ImageNet-normalised, channel-first 3·S·S floats.</param>
    /// <param name="patchSize">Patch side p; S must be a multiple of p.</param>
    /// <param name="patchIndices">Row-major patch indices of the predictions (e.g. the plan's masked patches).</param>
    /// <param name="predictions">n·p²·3 floats in MAE patch layout: element (i·p + j)·3 + ch is pixel (i, j) of channel ch.</param>
    public static float[] Denormalize(float[] normalizedChw, int patchSize, IReadOnlyList<int> patchIndices, float[] predictions)
    {
        int size = RgbImage.SideOf(normalizedChw, nameof(normalizedChw));
        if (patchSize < 1 || size % patchSize != 0)
        {
            throw new ArgumentException($"image side {size} is not a multiple of patch size {patchSize}", nameof(patchSize));
        }
        int grid = size / patchSize;
        int patchLength = patchSize * patchSize * 3;
        if (predictions.Length != patchIndices.Count * patchLength)
        {
            throw new ArgumentException($"expected {patchIndices.Count}·{patchLength} prediction floats, got {predictions.Length}", nameof(predictions));
        }
        var result = (float[])normalizedChw.Clone();
        int plane = size * size;
        int Offset(int patch, int k)
        {
            int pixel = k / 3, ch = k % 3;
            int y = patch / grid * patchSize + pixel / patchSize, x = patch % grid * patchSize + pixel % patchSize;
            return ch * plane + y * size + x;
        }
        for (int n = 0; n < patchIndices.Count; n++)
        {
            int patch = patchIndices[n];
            if (patch < 0 || patch >= grid * grid)
            {
                throw new ArgumentOutOfRangeException(nameof(patchIndices), $"patch index {patch} outside 0…{grid * grid - 1}");
            }
            double sum = 0, sumSquares = 0;
            for (int k = 0; k < patchLength; k++)
            {
                double v = normalizedChw[Offset(patch, k)];
                sum += v;
                sumSquares += v * v;
            }
            double mean = sum / patchLength;
            double variance = Math.Max(0, (sumSquares - patchLength * mean * mean) / (patchLength - 1));
            double std = Math.Sqrt(variance + 1e-6);
            for (int k = 0; k < patchLength; k++)
            {
                result[Offset(patch, k)] = (float)(predictions[n * patchLength + k] * std + mean);
            }
        }
        return result;
    }
}
