namespace AmtSharp.Data.Transforms;

public enum TransformKind
{
    /// <summary>Training: RandomResizedCrop then a random horizontal flip.</summary>
    RandomResizedCropFlip,

    /// <summary>The whole image squashed to Size x Size (aspect not kept); what the AMT prior pass sees.</summary>
    Resize,

    /// <summary>Evaluation: short side to Size / CropFraction, then a centre Size x Size crop.</summary>
    ResizeCentreCrop,
}

/// <summary>
/// How a loader turns a source image into a Size x Size normalised sample. The geometry is random
/// (<see cref="SampleGeometry"/> draws it, <see cref="CropRenderer"/> applies it); with <see cref="RandAugment"/> the
/// rendered crop then goes through RandAugment before it is normalised, as timm orders its training transform.
/// </summary>
public sealed record TransformSpec(
    TransformKind Kind,
    int Size,
    double ScaleMin = 0.2,
    double ScaleMax = 1.0,
    double RatioMin = 3.0 / 4,
    double RatioMax = 4.0 / 3,
    double FlipProbability = 0.5,
    double CropFraction = 0.875,
    Normalization? Normalize = null,
    RandAugment? RandAugment = null)
{
    /// <summary>MAE pre-training uses scale (0.2, 1); SimMIM (0.67, 1); linear probe / fine-tune (0.08, 1).</summary>
    public static TransformSpec Train(int size, double scaleMin = 0.2, double scaleMax = 1.0) =>
        new(TransformKind.RandomResizedCropFlip, size, scaleMin, scaleMax);

    public static TransformSpec Resize(int size) => new(TransformKind.Resize, size);

    public static TransformSpec ResizeCentreCrop(int size, double cropFraction = 0.875) =>
        new(TransformKind.ResizeCentreCrop, size, CropFraction: cropFraction);

    /// <summary>
    /// Evaluation: small inputs (under 128 px, e.g. CIFAR) see the whole image resized; larger ones the usual
    /// resize + centre crop (224 from 256).
    /// </summary>
    public static TransformSpec Evaluation(int size) => size >= 128 ? ResizeCentreCrop(size) : Resize(size);

    public Normalization Normalization => Normalize ?? Normalization.ImageNet;

    /// <summary>
    /// What RandAugment's geometric operations fill with: the normalisation mean in 8 bits, as timm's create_transform
    /// passes it (124, 116, 104 for ImageNet statistics), so that the fill normalises to about 0.
    /// </summary>
    public Rgb24 AugmentFill => new(ToByte(Normalization.MeanR), ToByte(Normalization.MeanG), ToByte(Normalization.MeanB));

    /// <summary>
    /// The smallest source short side that still gives full detail in the output; huge images may be decoded down to it.
    /// For RRC the smallest crop has side sqrt(ScaleMin) of the image.
    /// </summary>
    public int MinSourceSide => Kind switch
    {
        TransformKind.RandomResizedCropFlip => (int)Math.Ceiling(Size / Math.Sqrt(ScaleMin)),
        TransformKind.ResizeCentreCrop => (int)Math.Ceiling(Size / CropFraction),
        _ => Size,
    };

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Size, 1, nameof(Size));
        if (!(ScaleMin > 0 && ScaleMin <= ScaleMax && ScaleMax <= 1))
        {
            throw new ArgumentException($"need 0 < ScaleMin <= ScaleMax <= 1, got ({ScaleMin}, {ScaleMax})");
        }
        if (!(RatioMin > 0 && RatioMin <= RatioMax))
        {
            throw new ArgumentException($"need 0 < RatioMin <= RatioMax, got ({RatioMin}, {RatioMax})");
        }
        if (FlipProbability is < 0 or > 1)
        {
            throw new ArgumentException($"FlipProbability must be in [0, 1], got {FlipProbability}");
        }
        if (CropFraction is <= 0 or > 1)
        {
            throw new ArgumentException($"CropFraction must be in (0, 1], got {CropFraction}");
        }
    }

    private static byte ToByte(float mean) => (byte)Math.Clamp((int)Math.Round(255.0 * mean, MidpointRounding.ToEven), 0, 255);

    /// <summary>Draws this sample's crop and flip for a <paramref name="width"/> x <paramref name="height"/> source. Deterministic in <paramref name="rng"/>.</summary>
    public CropGeometry SampleGeometry(int width, int height, Random rng)
    {
        switch (Kind)
        {
            case TransformKind.RandomResizedCropFlip:
                PixelBox box = RandomResizedCrop.Sample(width, height, rng, ScaleMin, ScaleMax, RatioMin, RatioMax);
                bool flip = rng.NextDouble() < FlipProbability;
                return CropGeometry.FromPixels(box.Top, box.Left, box.Height, box.Width, width, height, flip);
            case TransformKind.ResizeCentreCrop:
                // Resizing the short side to Size/CropFraction and cutting Size pixels keeps CropFraction of the short side.
                double side = CropFraction * Math.Min(width, height);
                double h = side / height, w = side / width;
                return new CropGeometry((1 - h) / 2, (1 - w) / 2, h, w, false);
            default:
                return CropGeometry.Identity;
        }
    }
}
