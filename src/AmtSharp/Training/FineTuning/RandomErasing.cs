using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Training.FineTuning;

/// <summary>One erased rectangle: image <see cref="Image"/> of the batch, rows [Top, Top + Height), columns [Left, Left + Width).</summary>
public readonly record struct ErasedBox(int Image, int Top, int Left, int Height, int Width);

/// <summary>
/// Random erasing (Zhong et al. 2020) with timm's defaults, on a batch of normalised images: each image is erased with
/// probability <see cref="Probability"/>; the rectangle covers a share of the image uniform in [MinArea, MaxArea] with
/// an aspect (height / width) log-uniform in [MinAspect, 1 / MinAspect], and up to ten draws are tried until it fits
/// strictly inside; its pixels become independent N(0, 1) values ("pixel" mode). timm's training loop applies it to
/// the normalised batch after mixup / cutmix, which is where the fine-tuner calls it. Box draws come from the caller's
/// seeded <see cref="Random"/>, pixel values from its seeded generator.
/// </summary>
public sealed record RandomErasing(double Probability, double MinArea = 0.02, double MaxArea = 1.0 / 3, double MinAspect = 0.3, int Attempts = 10)
{
    public double MaxAspect => 1 / MinAspect;

    /// <summary>Draws the rectangles for a batch of <paramref name="count"/> images of <paramref name="height"/> × <paramref name="width"/>.</summary>
    public IReadOnlyList<ErasedBox> Draw(int count, int height, int width, Random rng)
    {
        var boxes = new List<ErasedBox>();
        double area = (double)height * width, logLo = Math.Log(MinAspect), logHi = Math.Log(MaxAspect);
        for (int i = 0; i < count; i++)
        {
            if (Probability <= 0 || rng.NextDouble() >= Probability)
            {
                continue;
            }
            for (int attempt = 0; attempt < Attempts; attempt++)
            {
                double target = area * (MinArea + (MaxArea - MinArea) * rng.NextDouble());
                double aspect = Math.Exp(logLo + (logHi - logLo) * rng.NextDouble());
                // Math.Round is banker's rounding, like Python's round().
                int h = (int)Math.Round(Math.Sqrt(target * aspect)), w = (int)Math.Round(Math.Sqrt(target / aspect));
                if (h < height && w < width)
                {
                    boxes.Add(new ErasedBox(i, rng.Next(height - h + 1), rng.Next(width - w + 1), h, w));
                    break;
                }
            }
        }
        return boxes;
    }

    /// <summary>Erases <paramref name="images"/> [B, C, H, W] in place; returns the rectangles.</summary>
    public IReadOnlyList<ErasedBox> Apply(Tensor images, Random rng, Generator values)
    {
        if (images.ndim != 4)
        {
            throw new ArgumentException($"expected images [B, C, H, W], got [{string.Join(", ", images.shape)}]", nameof(images));
        }
        var boxes = Draw((int)images.shape[0], (int)images.shape[2], (int)images.shape[3], rng);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var b in boxes.Where(b => b.Height > 0 && b.Width > 0))
        {
            images[b.Image].narrow(1, b.Top, b.Height).narrow(2, b.Left, b.Width)
                .copy_(randn([images.shape[1], b.Height, b.Width], dtype: images.dtype, generator: values).to(images.device));
        }
        return boxes;
    }
}
